// Every source va-top knows, in the order the report, the header and the charts list them. A new source is one
// folder under source/sources/ and one line here. Only the composition root imports this (cli.tsx, commands/, the
// demo, the flag table): core is handed the list.
import type {AnySourceKind} from './source-kind.js';

export const sources: readonly AnySourceKind[] = [];

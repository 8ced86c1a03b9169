// `va-top`: the full-screen monitor. The UI lands with issue 3; until then this says so plainly.
import type {Options} from '../config/options.js';
import type {Stack} from '../sources/stack.js';

export async function runLive(_stack: Stack, _options: Options): Promise<number> {
	process.stderr.write('va-top: the live monitor is not built yet; use --once\n');
	return 69;
}

// The first module the CLI evaluates (cli.tsx imports it before anything else): settings that must be in place
// before any other module is loaded.
import {tuneHeap} from './heap.js';

// Before the modules load: loading them is what first grows the young generation.
tuneHeap('launch');

// React's development build records a performance measure per component render that Node keeps forever (heap
// grew 38 → 60 MB in 4 minutes at 20 containers) and costs CPU: the production build, unless debugging. The
// bundle (scripts/bundle.mjs) has React's production build only; this line is for the unbundled build (written so
// that the bundle's compile-time NODE_ENV does not replace it).
if (!process.env['VA_TOP_DEBUG']) Object.assign(process.env, {NODE_ENV: 'production'});

// Library warnings (docker-modem's ssh URL deprecation, say) would scribble over the full screen.
process.removeAllListeners('warning');
if (process.env['VA_TOP_DEBUG']) process.on('warning', warning => process.stderr.write(`${warning.name}: ${warning.message}\n`));

// `node stand-in.mjs PORT`: the Qdrant STAND-IN (not Qdrant; see qdrant-stand-in.ts) as a long-running process, for
// manual trials on the standing port 6333 (scripts/data-tier-up.sh bundles and starts it). QDRANT_API_KEY, when set,
// is required as the stand-in's api key.
import {startQdrantStandIn} from './qdrant-stand-in.js';

const port = Number(process.argv[2] ?? 6333);
const apiKey = process.env.QDRANT_API_KEY?.trim() || null;
const standIn = await startQdrantStandIn({port, state: {apiKey}});
process.stdout.write(`qdrant stand-in (not a real Qdrant) on ${standIn.url}${apiKey ? ' (api key required)' : ''}\n`);
const stop = () => {
	void standIn.close().finally(() => process.exit(0));
};

process.on('SIGTERM', stop);
process.on('SIGINT', stop);

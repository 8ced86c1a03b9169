export {nodeBlockHeight, nodeSelectionId, swarmNodeLines, type SwarmNodesProps} from './swarm-nodes.js';

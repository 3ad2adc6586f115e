export { chunkCommand } from './chunkCommand';
export { createIndexCommand } from './createIndexCommand';

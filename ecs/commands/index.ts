export { chunkCommand } from './chunkCommand';
export { createIndexCommand } from './createIndexCommand';
export { queryCommand } from './queryCommand';
export { statsCommand } from './statsCommand';

export { chunkRun } from './chunkRun';
export { planChunks } from './planChunks';
export type { ChunkSelector, ChunkSizes } from './planChunks';
export { announceChunks } from './announceChunks';
export type { AnnounceChunksDeps, AnnounceChunksResult } from './announceChunks';

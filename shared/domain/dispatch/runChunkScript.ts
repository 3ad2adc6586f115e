import script from '../../../ecs/run-chunk.sh?raw';

/** The Cloud Assistant script of a chunk, `ecs/run-chunk.sh`, embedded in the bundle at build time. */
export const RUN_CHUNK_SCRIPT: string = script;

/** The RunCommand name of a chunk; the TaskCompleted rule keeps only names with the project's prefix. */
export const CHUNK_COMMAND_NAME = 'vectorsync-chunk';

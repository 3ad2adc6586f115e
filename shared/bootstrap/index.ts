export { createFirstIndex, createFirstIndexWith, publishWorkerBundle, workerBundleKey } from './bootstrap';
export type { FirstIndexInput, PublishedWorker, PublishWorkerInput } from './bootstrap';
export { BootstrapError } from './errors';

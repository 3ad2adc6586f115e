export { openWorkerContext } from './WorkerContext';
export type { WorkerContext } from './WorkerContext';
export { loadWorkerConfig } from './loadWorkerConfig';
export { ossClientFor } from './ossClientFor';

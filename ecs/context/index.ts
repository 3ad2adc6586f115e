export { openWorkerContext } from './WorkerContext';
export type { WorkerContext } from './WorkerContext';
export { loadWorkerConfig } from './loadWorkerConfig';
export { ossClientFor } from './ossClientFor';
export { resolveWorkerCredentials } from './resolveWorkerCredentials';
export type { WorkerCredentials, WorkerCredentialsOptions } from './resolveWorkerCredentials';
export { fetchInstanceRoleCredentials, InstanceRoleCredentialsError, EcsMetadata, ECS_METADATA_DEFAULT_ENDPOINT } from './instanceRoleCredentials';
export type { InstanceRoleCredentials, InstanceRoleCredentialsOptions } from './instanceRoleCredentials';

export { CloudAssistantClient, cloudAssistantFor, createCloudAssistantClient } from './CloudAssistantClient';
export { EcsAction, createEcsApiClient } from './sdk';
export type { EcsApiClient, EcsParameter } from './sdk';
export {
  CloudAssistantRequestError,
  CloudAssistantResponseError,
  CloudAssistantUnavailableError,
  CommandTooLargeError,
  InstanceErrorAction,
  InstanceUnavailableError,
  InvalidClientTokenError,
  InvalidParameterNameError,
  TooManyParametersError,
} from './errors';
export type { InstanceInvocationResult } from './types';

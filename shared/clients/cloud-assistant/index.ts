export { CloudAssistantClient, cloudAssistantFor, createCloudAssistantClient } from './CloudAssistantClient';
export { createEcsSdkClient } from './sdk';
export {
  CloudAssistantRequestError,
  CloudAssistantUnavailableError,
  CommandTooLargeError,
  InstanceErrorAction,
  InstanceUnavailableError,
  InvalidClientTokenError,
  InvalidParameterNameError,
  TooManyParametersError,
} from './errors';
export type { InstanceInvocationResult } from './types';

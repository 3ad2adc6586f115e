export { EventPublisher, prepareEvent, publisherFor } from './EventPublisher';
export type { PublishableEvent } from './EventPublisher';
export { ControlPlane } from './ControlPlane';
export type { RemoteRule, RemoteTarget, TargetSpec } from './ControlPlane';
export { createEventBridgeClient } from './sdk';
export { packBatches, resolveEndpoint } from './batches';
export { EventBridgeRequestError, EventBridgeUnavailableError, EventTooLargeError } from './errors';

export { startCloudAssistant } from './startCloudAssistant';
export type { CloudAssistantEmulator, CloudAssistantEmulatorOptions } from './startCloudAssistant';
export type { TaskCompletedCloudEvent } from './buildTaskCompletedEvent';
export { aggregateStatus } from './invocations';
export { checkPlaceholders, renderScript } from './requests';

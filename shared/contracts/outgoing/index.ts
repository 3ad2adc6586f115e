export { runAcceptedEvent } from './runAcceptedEvent';
export { chunkReadyEvent } from './chunkReadyEvent';
export { runCompletedEvent } from './runCompletedEvent';
export { statsRequestedEvent } from './statsRequestedEvent';
export type { OutgoingEvent } from './types';

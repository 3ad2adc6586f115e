export { EmulatorServer } from './EmulatorServer';
export type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from './types';

export { jsonLogger, levelFromEnvironment } from './jsonLogger';
export type { JsonLoggerOptions } from './jsonLogger';
export { decodeEvent, parseEvent } from './parseEvent';
export type { EventInput } from './parseEvent';
export { classifyErrors } from './classifyErrors';
export type { ClassifyErrorsOptions, ParkedResponse } from './classifyErrors';
export { fcEventOrTimerHandler, fcHandler, fcPipeline, fcTimerHandler } from './fcHandler';
export type { FcPipelineOptions, HandlerTools } from './fcHandler';
export type { ParkedFailure, ParkFn, PipelineContext, PipelineMiddleware, PipelineRequest } from './pipeline';

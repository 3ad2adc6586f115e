import { parseWith, TimerEventSchema } from '../../shared/contracts';
import { bindLogFields } from '../../shared/middleware';
import type { PipelineMiddleware, PipelineRequest } from '../../shared/middleware';

/**
 * The timer trigger's event is not a CloudEvent: parse it as a TimerEvent instead of parseEvent
 * (a bad one is a permanent EventValidationError naming the field).
 */
export function parseTimerEvent(): PipelineMiddleware {
  function parseTimerEventBefore(request: PipelineRequest): void {
    const timer = parseWith(TimerEventSchema, request.event);
    request.event = timer;
    bindLogFields(request, { triggerName: timer.triggerName, triggerTime: timer.triggerTime });
  }
  return { before: parseTimerEventBefore };
}

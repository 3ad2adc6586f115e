// Each function takes an event type only from the bus its route delivers it on. The bus is in the
// delivered envelope (`aliyuneventbusname`, set by EventBridge, not by the publisher), so an event a
// publisher put on a bus it may write to cannot reach a function through another route: the
// changes publisher's keys cannot start a rebuild or fake a pipeline event.
import { PermanentError } from '../errors';
import { routesInto } from '../routing/routes';
import type { PipelineMiddleware, PipelineRequest } from './pipeline';

/** An event that came on another bus than its route's: parked with its reason, never retried. */
export class WrongRouteError extends PermanentError {}

/**
 * Refuses a parsed event whose type this function's routes do not deliver, or that came on
 * another bus than the route's. Runs after parseEvent (it reads `context.cloudEvent`).
 */
export function checkRoute(options: { readonly functionName: string; readonly routes?: ReadonlyMap<string, string> }): PipelineMiddleware {
  const routes = options.routes ?? routesInto(options.functionName);

  function checkRouteBefore(request: PipelineRequest): void {
    const envelope = request.context.cloudEvent;
    if (!envelope) return;
    const bus = routes.get(envelope.type);
    if (bus === undefined) {
      throw new WrongRouteError(`${options.functionName} has no route for ${envelope.type} events (event ${envelope.id} came on bus ${envelope.aliyuneventbusname})`, {
        code: 'WrongRoute',
        details: { eventId: envelope.id, type: envelope.type, bus: envelope.aliyuneventbusname },
      });
    }
    if (envelope.aliyuneventbusname !== bus) {
      throw new WrongRouteError(
        `event ${envelope.id} (${envelope.type}) came on bus ${envelope.aliyuneventbusname}; ${options.functionName} takes it only from bus ${bus}: check the rule that routes it, and who may publish there`,
        { code: 'WrongRoute', details: { eventId: envelope.id, type: envelope.type, bus: envelope.aliyuneventbusname, expected: bus } },
      );
    }
  }

  return { before: checkRouteBefore };
}

import type { EventPublisher } from '../../clients/eventbridge';
import { runAcceptedEvent } from '../../contracts';
import type { Ledger } from '../../ledger';
import { publishAll } from '../collect/publishAll';
import { openRunForEvent } from './openRunForEvent';
import type { IndexDefaults, RunSource } from './openRunForEvent';
import { WrongBusError } from './WrongBusError';

/** What validate needs. */
export interface AcceptRunDeps {
  readonly ledger: Ledger;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  /** The project's bus; events from any other bus are refused. */
  readonly busName: string;
  readonly defaults: IndexDefaults;
}

/** What validate answers. */
export interface AcceptRunResult {
  readonly runId: string;
  readonly op: string;
  readonly indexName: string;
  readonly state: string;
  /** False when a redelivery found the run already past 'accepted'. */
  readonly announced: boolean;
}

/**
 * Opens the run an event asks for (keyed by the event id, so a redelivery finds the same run) and
 * announces it with `vectorsync.run.accepted`. The announcement is repeated while the run is still
 * 'accepted' (an earlier publish may have failed) and never once chunk has taken it.
 */
export async function acceptRun(deps: AcceptRunDeps, source: RunSource & { readonly bus: string | undefined }): Promise<AcceptRunResult> {
  if (source.bus !== undefined && source.bus !== deps.busName) {
    throw new WrongBusError(`event ${source.id} came from bus ${source.bus}, not ${deps.busName}: check the rule that routes it`, { details: { eventId: source.id, bus: source.bus } });
  }
  const run = await openRunForEvent(deps.ledger, source, deps.defaults);
  const announced = run.state === 'accepted';
  if (announced) await publishAll(deps.publisher, [runAcceptedEvent(run.run_id)]);
  return { runId: run.run_id, op: run.op, indexName: run.index_name, state: run.state, announced };
}

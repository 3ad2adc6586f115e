// The Supabase publisher's keys cannot start a rebuild: its RAM policy lets it put events on the
// changes bus only (the emulator enforces the policy per key, as RAM does), the changes bus routes
// only changes.published to validate, and validate takes run.requested only from the pipeline bus.
import { afterEach, describe, expect, it } from 'vitest';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator } from '../../local/eventbridge';
import { StackDefaults } from '../../local/stack/constants';
import { EventPublisher, createEventBridgeClient } from '../../shared/clients/eventbridge';
import type { PublishableEvent } from '../../shared/clients/eventbridge';
import { EventSource, EventType } from '../../shared/contracts';
import { BusName, ROUTES } from '../../shared/routing';
import { RecordingFunction } from '../helpers/pipelineHarness';

const publisherKey = { accessKeyId: 'publisher-key', accessKeySecret: 'publisher-secret', putEventsBuses: [BusName.Changes] };
const functionKey = { accessKeyId: 'function-key', accessKeySecret: 'function-secret', putEventsBuses: [BusName.VectorSync] };
let bus: EventBridgeEmulator | undefined;

afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

async function start(): Promise<{ validate: RecordingFunction; publisherOn: (busName: string) => EventPublisher }> {
  const validate = new RecordingFunction();
  bus = await startEventBridge({ routes: ROUTES, timeScale: 0.0001, credentials: [publisherKey, functionKey], functions: new Map([['validate', validate]]) });
  const emulator = bus;
  const client = createEventBridgeClient({ endpoint: `http://${emulator.endpoint}`, regionId: emulator.region, accessKeyId: publisherKey.accessKeyId, accessKeySecret: publisherKey.accessKeySecret });
  return { validate, publisherOn: (busName) => new EventPublisher(client, { busName, baseDelayMs: 1, maxDelayMs: 2 }) };
}

const rebuild: PublishableEvent = { id: 'sneaky-rebuild', type: EventType.RunRequested, source: EventSource.Manual, subject: 'indexes/docs', data: { op: 'rebuild', index: 'docs' } };

describe("the changes publisher's keys", () => {
  it('are refused a rebuild on the pipeline bus (AccessDenied), and one put on the changes bus reaches no function', async () => {
    // Prepare
    const { validate, publisherOn } = await start();
    // Act
    const onPipeline = await publisherOn(BusName.VectorSync).publish([rebuild]);
    const onChanges = await publisherOn(BusName.Changes).publish([{ ...rebuild, id: 'sneaky-rebuild-2' }]);
    await bus?.idle();
    // Assert
    expect(onPipeline.acceptedIds).toEqual([]);
    expect(onPipeline.failed[0]?.error).toMatchObject({ code: 'AccessDenied' });
    expect(onChanges.acceptedIds).toEqual(['sneaky-rebuild-2']);
    expect(validate.events).toEqual([]);
  });

  it('still publish change batches, which reach validate from the changes bus', async () => {
    const { validate, publisherOn } = await start();
    const changes: PublishableEvent = { id: '0b7c3a52-0f6e-4c41-9d7e-7a4f7a6c2e11', type: EventType.ChangesPublished, source: EventSource.SupabaseEdge, subject: 'indexes/docs', data: { batchId: '0b7c3a52-0f6e-4c41-9d7e-7a4f7a6c2e11', index: 'docs', count: 1 } };
    const result = await publisherOn(BusName.Changes).publish([changes]);
    await bus?.idle();
    expect(result.acceptedIds).toEqual([changes.id]);
    expect(validate.events).toEqual([expect.objectContaining({ id: changes.id, aliyuneventbusname: BusName.Changes })]);
  });

  it('are the ones the local stack gives the edge publisher, with the changes bus as its bus', () => {
    expect(StackDefaults.changesBusName).toBe(BusName.Changes);
    expect(StackDefaults.busName).toBe(BusName.VectorSync);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator } from '../../local/eventbridge';
import { ControlPlane, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { deployRouting, ROUTES } from '../../shared/routing';
import type { Route } from '../../shared/routing';

let bus: EventBridgeEmulator | undefined;

async function setUp(): Promise<{ emulator: EventBridgeEmulator; control: ControlPlane; account: { region: string; accountId: string } }> {
  const emulator = await startEventBridge();
  bus = emulator;
  const credential = emulator.credentials[0];
  const client = createEventBridgeClient({ endpoint: emulator.endpoint, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' });
  return { emulator, control: new ControlPlane(client), account: { region: emulator.region, accountId: emulator.accountId } };
}

afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

describe('deployRouting', () => {
  it('creates the bus, every rule and its FC target on the first run', async () => {
    const { emulator, control, account } = await setUp();
    const changes = await deployRouting(control, account);
    expect(changes).toContainEqual({ kind: 'createBus', bus: 'vector-sync' });
    expect(changes.filter((change) => change.kind === 'createRule')).toHaveLength(ROUTES.length);
    const targets = await control.listTargets('vector-sync', 'vectorsync-chunk-to-dispatch');
    expect(targets).toEqual([
      {
        id: 'dispatch',
        type: 'acs.fc.function',
        endpoint: `acs:fc:${emulator.region}:${emulator.accountId}:functions/dispatch`,
        pushRetryStrategy: 'EXPONENTIAL_DECAY_RETRY',
        paramList: [{ resourceKey: 'Body', form: 'ORIGINAL' }],
        deadLetterArn: `acs:mns:${emulator.region}:${emulator.accountId}:/queues/vector-sync-dead-letters`,
        errorsTolerance: 'ALL',
      },
    ]);
    expect((await control.listRules('default')).map((rule) => rule.name)).toEqual(['vectorsync-task-completed-to-collect-stats']);
  });

  it('changes nothing on a second run', async () => {
    const { control, account } = await setUp();
    await deployRouting(control, account);
    expect(await deployRouting(control, account)).toEqual([]);
  });

  it('updates a changed pattern and replaces a changed target', async () => {
    const { control, account } = await setUp();
    await deployRouting(control, account);
    const changed = ROUTES.map((route): Route =>
      route.rule === 'vectorsync-completed-to-notify'
        ? { ...route, pattern: { ...route.pattern, subject: [{ prefix: 'runs/' }] }, target: { ...route.target, retryStrategy: 'BACKOFF_RETRY' } }
        : route,
    );
    const changes = await deployRouting(control, { ...account, routes: changed });
    expect(changes).toEqual([
      { kind: 'updateRule', bus: 'vector-sync', rule: 'vectorsync-completed-to-notify', fields: ['filterPattern'] },
      { kind: 'replaceTarget', bus: 'vector-sync', rule: 'vectorsync-completed-to-notify', target: 'notify' },
    ]);
    const rule = (await control.listRules('vector-sync')).find((candidate) => candidate.name === 'vectorsync-completed-to-notify');
    expect(JSON.parse(rule?.filterPattern ?? '{}')).toMatchObject({ subject: [{ prefix: 'runs/' }] });
    expect(await deployRouting(control, { ...account, routes: changed })).toEqual([]);
  });

  it('retries a throttled control-plane call', async () => {
    const { emulator, control, account } = await setUp();
    emulator.faults.add({ operation: 'createRule', kind: 'status', status: 429, count: 1 });
    const changes = await deployRouting(control, account);
    expect(changes.filter((change) => change.kind === 'createRule')).toHaveLength(ROUTES.length);
  });
});

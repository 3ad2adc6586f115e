import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
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

  it('refuses a custom bus past the region limit of 50 with a clear error', async () => {
    // Prepare: the pipeline's buses plus others make 50 custom buses.
    const { control, account } = await setUp();
    await deployRouting(control, account);
    const ours = (await control.listBuses()).filter((bus) => bus.name !== 'default').length;
    for (let n = ours; n < 50; n += 1) await control.createBus(`other-${n}`, '');
    // Act
    const refused = control.createBus('one-too-many', '');
    // Assert
    await expect(refused).rejects.toMatchObject({ code: 'ExceededEventBusLimit' });
    expect((await control.listBuses()).filter((bus) => bus.name !== 'default')).toHaveLength(50);
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

  it('leaves the default bus alone with customBusesOnly and targets the prefixed function names', async () => {
    const { emulator, control, account } = await setUp();
    const changes = await deployRouting(control, { ...account, functionPrefix: 'vector-sync-', customBusesOnly: true });
    expect(changes.filter((change) => change.kind === 'createRule')).toHaveLength(ROUTES.filter((route) => route.bus !== 'default').length);
    expect(await control.listRules('default')).toEqual([]);
    const [target] = await control.listTargets('vector-sync', 'vectorsync-accepted-to-chunk');
    expect(target?.endpoint).toBe(`acs:fc:${emulator.region}:${emulator.accountId}:functions/vector-sync-chunk`);
    expect(await deployRouting(control, { ...account, functionPrefix: 'vector-sync-', customBusesOnly: true })).toEqual([]);
  });
});

describe('npm run deploy:routing', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  async function cli(emulator: EventBridgeEmulator, args: string[]): Promise<{ status: number | null; lines: Record<string, any>[]; stderr: string }> {
    const credential = emulator.credentials[0];
    const child = spawn(`${root}node_modules/.bin/tsx`, [`${root}scripts/deploy-routing.ts`, ...args], {
      env: { PATH: process.env.PATH, EVENTBRIDGE_ENDPOINT: `http://${emulator.endpoint}`, ALIBABA_CLOUD_ACCESS_KEY_ID: credential?.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: credential?.accessKeySecret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, lines: stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>), stderr };
  }

  it('checks, deploys, then finds nothing left to change', async () => {
    const { emulator, control } = await setUp();
    const args = ['--region', emulator.region, '--account-id', emulator.accountId, '--function-prefix', 'vector-sync-', '--custom-buses-only'];
    const planned = await cli(emulator, [...args, '--check']);
    expect(planned.status).toBe(1);
    expect(planned.lines.filter((line) => line.message === 'would change').map((line) => line.change.kind)).toContain('createBus');
    expect((await control.listBuses()).map((bus) => bus.name)).not.toContain('vector-sync');

    const deployed = await cli(emulator, args);
    expect(deployed.status, deployed.stderr).toBe(0);
    expect(deployed.lines.at(-1)).toMatchObject({ message: 'routing deployed', upToDate: false, deployId: expect.any(String) });

    const checked = await cli(emulator, [...args, '--check']);
    expect(checked.status).toBe(0);
    expect(checked.lines.at(-1)).toMatchObject({ message: 'routing checked', changes: 0, upToDate: true });
  }, 60_000);

  it('refuses a bad account id with a clear message and no call', async () => {
    const { emulator } = await setUp();
    const result = await cli(emulator, ['--region', emulator.region, '--account-id', 'acme']);
    expect(result.status).toBe(64);
    expect(result.lines[0]).toMatchObject({ level: 'error', message: expect.stringContaining('--account-id must be the numeric') });
  }, 60_000);
});

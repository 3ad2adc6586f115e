import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentError } from '../../shared/errors';
import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import type { TaskCompletedCloudEvent } from './buildTaskCompletedEvent';
import { CloudAssistantService } from './CloudAssistantService';
import { CommandRunner } from './CommandRunner';
import type { RunnerInstance } from './CommandRunner';
import { InstanceState } from './executeRun';
import type { InvocationRecord } from './invocations';
import type { EmulatorCredential } from './verifyAcs3Signature';

/** Defaults of the local account and its instances. */
const CloudAssistantEmulatorDefaults = {
  accountId: '1234567890123456',
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-ecs',
  accessKeySecret: 'local-ecs-secret',
  /** Multiplies every command Timeout (e.g. 0.05 in tests, so Timeout 10 lasts 0.5 s). */
  timeScale: 1,
  /** How far `x-acs-date` may be from the emulator's clock. */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

/** The emulator was started with unusable options. */
export class CloudAssistantEmulatorConfigError extends PermanentError {}

/** A local "ECS instance": scripts for it run in bash on this machine. */
export interface LocalInstance {
  readonly instanceId: string;
  readonly state: InstanceState;
  /** The instance's root home: HOME and the default working directory; default a temporary folder. */
  readonly workDir?: string;
}

/** Settings of a local Cloud Assistant. */
export interface CloudAssistantEmulatorOptions {
  /** The local "ECS instances"; default one online instance `i-local0001`. */
  readonly instances?: readonly LocalInstance[];
  readonly accountId?: string;
  readonly region?: string;
  /** Keys accepted; default one fixed local key. Give `securityToken` to accept STS keys. */
  readonly credentials?: readonly EmulatorCredential[];
  /** Extra environment variables for every script (besides the ECS PATH and HOME). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Test knob: multiplies every command's Timeout. Cloud Assistant's minimum Timeout is 10 s;
   * with 0.05 a Timeout of 10 lasts 0.5 s. Default 1.
   */
  readonly timeScale?: number;
  /** Receives `ecs:CloudAssistant:TaskCompleted` for each finished run (e.g. the local default bus). */
  readonly onTaskCompleted?: (event: TaskCompletedCloudEvent) => unknown;
  readonly port?: number;
  /** The emulator's clock for the signature date check; default `Date.now`. */
  readonly now?: () => number;
}

/** A running local Cloud Assistant and the handles tests read. */
export interface CloudAssistantEmulator {
  readonly server: EmulatorServer;
  /** `127.0.0.1:<port>`, the form the SDK takes as `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: readonly EmulatorCredential[];
  readonly faults: FaultInjector;
  readonly runner: CommandRunner;
  /** Resolves once every instance's run of the invocation is final. */
  waitForInvocation(invokeId: string): Promise<InvocationRecord>;
  /** Kills running scripts, stops the server and removes the emulator's temporary folders. */
  close(): Promise<void>;
}

/** Starts the Cloud Assistant emulator on 127.0.0.1. */
export async function startCloudAssistant(options: CloudAssistantEmulatorOptions = {}): Promise<CloudAssistantEmulator> {
  const region = options.region ?? CloudAssistantEmulatorDefaults.region;
  const accountId = options.accountId ?? CloudAssistantEmulatorDefaults.accountId;
  const credentials = options.credentials ?? [{ accessKeyId: CloudAssistantEmulatorDefaults.accessKeyId, accessKeySecret: CloudAssistantEmulatorDefaults.accessKeySecret }];
  const timeScale = options.timeScale ?? CloudAssistantEmulatorDefaults.timeScale;
  if (credentials.length === 0) throw new CloudAssistantEmulatorConfigError('the Cloud Assistant emulator needs at least one credential');
  if (!(timeScale > 0)) throw new CloudAssistantEmulatorConfigError(`timeScale must be above 0 (got ${timeScale})`);
  const root = await mkdtemp(join(tmpdir(), 'cloud-assistant-'));
  const scriptDir = join(root, 'scripts');
  await mkdir(scriptDir);
  const instances = new Map<string, RunnerInstance>();
  for (const instance of options.instances ?? [{ instanceId: 'i-local0001', state: InstanceState.Online }]) {
    const home = instance.workDir ?? join(root, instance.instanceId);
    await mkdir(home, { recursive: true });
    instances.set(instance.instanceId, { state: instance.state, home });
  }
  const runner = new CommandRunner({
    instances, accountId, region, scriptDir, timeScale, env: options.env ?? {},
    ...(options.onTaskCompleted ? { onTaskCompleted: options.onTaskCompleted } : {}),
  });
  const faults = new FaultInjector();
  const signatures = { credentials, maxClockSkewMs: CloudAssistantEmulatorDefaults.maxClockSkewMs, nonces: new Set<string>(), now: options.now ?? Date.now };
  const server = new EmulatorServer(new CloudAssistantService(runner, signatures, region), faults);
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: server.host,
    region,
    accountId,
    credentials,
    faults,
    runner,
    waitForInvocation: (invokeId) => runner.waitFor(invokeId),
    async close() {
      runner.close();
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

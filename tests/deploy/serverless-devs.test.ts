// `s` itself, offline: s.yaml is deployed with the real Serverless Devs CLI against a local stand-in
// for the fc3 component (tests/fixtures/fc3-stub), so `${env}` / `${vars}` mistakes, the pre-deploy
// build and the success-deploy routing action are all exercised without the internet. The routing
// action talks to the local EventBridge emulator; only its endpoint and keys differ from the cloud.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator } from '../../local/eventbridge';
import { ControlPlane, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { ROUTES } from '../../shared/routing';
import { functionFolders, readDeployEnvExample } from './deployFiles';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stub = join(root, 'tests/fixtures/fc3-stub');
const sBin = join(root, 'node_modules/.bin/s');
const tsxBin = join(root, 'node_modules/.bin/tsx');
const schemaPath = resolve(process.env.FC3_PROPS_SCHEMA ?? join(root, '../shared/reference/fc3-props.schema.json'));
const schemaPresent = existsSync(schemaPath);

interface StubCall {
  command: string;
  resource: string;
  props: Record<string, any>;
  args: string[];
  codeDir?: string;
  event?: Record<string, any> | null;
}

let bus: EventBridgeEmulator;
let project: string;
let env: NodeJS.ProcessEnv;
let control: ControlPlane;
let firstDeploy: { status: number | null; output: string };

/** Runs `s` asynchronously: the emulator it talks to lives in this process's event loop. */
async function runS(args: string[], overrides: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; output: string }> {
  const child = spawn(sBin, args, { cwd: project, env: { ...env, ...overrides }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, output };
}

function calls(): StubCall[] {
  const file = join(project, 'record.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as StubCall);
}

beforeAll(async () => {
  bus = await startEventBridge();
  const credential = bus.credentials[0];
  if (!credential) throw new Error('the EventBridge emulator has no credential');
  control = new ControlPlane(createEventBridgeClient({ endpoint: `http://${bus.endpoint}`, accessKeyId: credential.accessKeyId, accessKeySecret: credential.accessKeySecret }));

  // A copy of the project's s.yaml in which only the component is swapped for the stub; the npm
  // scripts the actions call run the project's own build and deployer.
  project = mkdtempSync(join(tmpdir(), 's-deploy-'));
  const yaml = readFileSync(join(root, 's.yaml'), 'utf8');
  const swapped = yaml.replace(/^(\s+component:) fc3$/gmu, `$1 ${stub}`);
  expect(swapped.match(new RegExp(stub.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'), 'gu'))).toHaveLength(functionFolders().length);
  writeFileSync(join(project, 's.yaml'), swapped);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 's-deploy-rehearsal',
      private: true,
      scripts: { build: `${tsxBin} ${join(root, 'scripts/build.ts')} --out-dir dist`, 'deploy:routing': `${tsxBin} ${join(root, 'scripts/deploy-routing.ts')}` },
    }),
  );
  cpSync(join(root, 'events'), join(project, 'events'), { recursive: true });

  env = {
    PATH: process.env.PATH,
    HOME: project,
    CI: 'true',
    serverless_devs_config_home: join(project, '.s'),
    FC3_STUB_RECORD: join(project, 'record.jsonl'),
    ...readDeployEnvExample(),
    // The local cloud instead of the account: the same variables, other values.
    ALIBABA_CLOUD_REGION: bus.region,
    ALIBABA_CLOUD_ACCOUNT_ID: bus.accountId,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credential.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credential.accessKeySecret,
    EVENTBRIDGE_ENDPOINT: `http://${bus.endpoint}`,
  };
  firstDeploy = await runS(['deploy', '-y']);
}, 180_000);

afterAll(async () => {
  await bus?.close();
  // `s` may still be writing its update-check state under .s from a detached process: retry, and
  // leave a temp folder behind rather than fail a test over it.
  if (project) {
    try {
      rmSync(project, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      // a leftover temp folder is harmless
    }
  }
});

describe('s deploy -y against the fc3 stand-in', () => {
  it('resolves every variable and deploys one function per folder', () => {
    expect(firstDeploy.status, firstDeploy.output).toBe(0);
    const deployed = calls().filter((call) => call.command === 'deploy');
    expect(deployed.map((call) => call.resource).sort()).toEqual(functionFolders());
    for (const call of deployed) {
      expect(JSON.stringify(call.props)).not.toContain('${');
      expect(call.props.functionName).toBe(`vector-sync-${call.resource}`);
      expect(call.props.region).toBe(bus.region);
      expect(call.props.environmentVariables.SUPABASE_DB_URL).toBe(env.SUPABASE_DB_URL);
      expect(call.props.logConfig).toMatchObject({ project: env.VECTOR_SYNC_LOG_PROJECT, logstore: env.VECTOR_SYNC_LOGSTORE });
    }
    const dispatch = deployed.find((call) => call.resource === 'dispatch');
    expect(dispatch?.props.environmentVariables).toMatchObject({ ECS_INSTANCE_IDS: env.VECTOR_SYNC_INSTANCE_IDS, WORKER_VERSION: env.VECTOR_SYNC_WORKER_VERSION, OSS_BUCKET: env.VECTOR_SYNC_ARTIFACTS_BUCKET });
  });

  it('builds first: every code folder holds a bundle whose handler is a function', () => {
    const deployed = calls().filter((call) => call.command === 'deploy');
    expect(deployed).toHaveLength(functionFolders().length);
    for (const call of deployed) {
      const [file, exported] = String(call.props.handler).split('.');
      const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(call.codeDir ?? '', `${file}.js`))})[${JSON.stringify(exported)}])`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(probe.stdout, `${call.resource}: ${probe.stderr}`).toBe('function');
    }
  });

  it('runs the rules deployer after the functions: custom-bus rules target the prefixed functions', async () => {
    expect(firstDeploy.output).toContain('routing deployed');
    const custom = ROUTES.filter((route) => route.bus === 'vector-sync');
    const rules = await control.listRules('vector-sync');
    expect(rules.map((rule) => rule.name).sort()).toEqual(custom.map((route) => route.rule).sort());
    for (const route of custom) {
      const targets = await control.listTargets('vector-sync', route.rule);
      expect(targets.map((target) => target.endpoint)).toEqual([`acs:fc:${bus.region}:${bus.accountId}:functions/vector-sync-${route.target.functionName}`]);
    }
    // The default-bus route is collect-stats' fc3 trigger: the deployer leaves that bus alone.
    expect(await control.listRules('default')).toEqual([]);
  });

  it('a second deploy changes no routing', async () => {
    const before = await control.listRules('vector-sync');
    const again = await runS(['deploy', '-y']);
    expect(again.status, again.output).toBe(0);
    expect(again.output).toMatch(/"routing deployed".*"changes":0/u);
    expect(await control.listRules('vector-sync')).toEqual(before);
  }, 120_000);

  it('s <function> invoke -f hands the event file to that function', async () => {
    const result = await runS(['validate', 'invoke', '-f', 'events/rebuild.json']);
    expect(result.status, result.output).toBe(0);
    const invoked = calls().filter((call) => call.command === 'invoke');
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({ resource: 'validate', props: { functionName: 'vector-sync-validate' }, event: { type: 'vectorsync.run.requested', data: { op: 'rebuild' } } });
  }, 120_000);

  it('a variable missing from the environment stops s before anything is deployed', async () => {
    const before = calls().length;
    const result = await runS(['deploy', '-y'], { SUPABASE_DB_URL: undefined });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("env('SUPABASE_DB_URL') not found");
    expect(calls()).toHaveLength(before);
  }, 120_000);
});

describe('fc3 props schema', () => {
  it.skipIf(schemaPresent)(`is skipped: ${schemaPath} is absent (set FC3_PROPS_SCHEMA to validate the props)`, () => undefined);

  it.runIf(schemaPresent)('every resource, as s resolves it, validates against fc3-props.schema.json', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const deployed = calls().filter((call) => call.command === 'deploy');
    expect(deployed.length).toBeGreaterThanOrEqual(functionFolders().length);
    for (const call of deployed) {
      const valid = validate(call.props);
      expect(valid, `${call.resource}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it.runIf(schemaPresent)('the schema is strict enough to refuse a broken resource', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const props = calls().find((call) => call.command === 'deploy')?.props ?? {};
    expect(validate({ ...props, region: 'moon-1' })).toBe(false);
    expect(validate({ ...props, memorySize: '256' })).toBe(false);
    const { handler: _handler, ...withoutHandler } = props;
    expect(validate(withoutHandler)).toBe(false);
  });
});

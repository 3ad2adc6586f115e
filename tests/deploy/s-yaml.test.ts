// s.yaml and the RAM policies checked against the code, as written (no `s`, no network).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPolicy, policyValues, WORKER_TAG } from '../../deploy/ram/renderPolicy';
import { FunctionSizing } from '../../local/stack';
import { ComponentConfigSchemas } from '../../shared/config';
import { EventType, TimerEventSchema } from '../../shared/contracts';
import { BusName, COMMAND_NAME_PREFIX, DEAD_LETTER_QUEUE, ROUTES } from '../../shared/routing';
import { canonicalJson } from '../../shared/values';
import { functionFolders, projectRoot, readDeployEnvExample, readSYaml } from './deployFiles';

const s = readSYaml();
const text = readFileSync(join(projectRoot, 's.yaml'), 'utf8');
const resources = Object.entries(s.resources as Record<string, { component: string; props: Record<string, any> }>);
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|DB_URL/u;

/** Variables a schema cannot do without: those it refuses when unset. */
function requiredVariables(name: keyof typeof ComponentConfigSchemas): string[] {
  const shape = ComponentConfigSchemas[name].shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
  return Object.keys(shape).filter((key) => !shape[key]?.safeParse(undefined).success);
}

describe('s.yaml', () => {
  it('is edition 3.0.0 with one fc3 resource per function folder, and nothing else', () => {
    expect(s.edition).toBe('3.0.0');
    expect(resources.map(([id]) => id).sort()).toEqual(functionFolders());
    for (const [, resource] of resources) expect(resource.component).toBe('fc3');
  });

  it('gives every function the nodejs20 runtime, index.handler, its bundle folder, its name, the role and SLS logs', () => {
    for (const [id, { props }] of resources) {
      expect(props).toMatchObject({
        region: '${vars.region}',
        functionName: `\${vars.functionPrefix}${id}`,
        runtime: 'nodejs20',
        handler: 'index.handler',
        code: `./dist/functions/${id}`,
        role: '${vars.role}',
        logConfig: '${vars.logConfig}',
      });
    }
    expect(s.vars.logConfig).toMatchObject({ project: expect.stringContaining('${env('), logstore: expect.any(String) });
  });

  it('sizes each function as the local cloud does, within the 5-minute cap of EventBridge invocations', () => {
    for (const [id, { props }] of resources) {
      const sizing = FunctionSizing[id as keyof typeof FunctionSizing];
      expect({ id, memorySize: props.memorySize, timeout: props.timeout }).toEqual({ id, memorySize: sizing.memory, timeout: sizing.timeout });
      expect(props.memorySize % 64).toBe(0);
      expect(props.timeout).toBeLessThanOrEqual(300);
    }
  });

  it('sets every variable each config schema requires, and no variable a schema does not know', () => {
    for (const [id, { props }] of resources) {
      const env = props.environmentVariables as Record<string, string>;
      const schema = ComponentConfigSchemas[id as keyof typeof ComponentConfigSchemas];
      expect(Object.keys(env).filter((key) => !(key in schema.shape)), `${id} sets unknown variables`).toEqual([]);
      expect(requiredVariables(id as keyof typeof ComponentConfigSchemas).filter((key) => !(key in env)), `${id} misses required variables`).toEqual([]);
      for (const value of Object.values(env)) expect(typeof value).toBe('string');
    }
  });

  it('takes secrets only from the environment and holds no secret literal', () => {
    for (const [id, { props }] of resources) {
      for (const [key, value] of Object.entries(props.environmentVariables as Record<string, string>)) {
        // A secret comes from the variable of its own name; an optional one may default to empty.
        if (SECRET_NAME.test(key)) expect([`\${env('${key}')}`, `\${env('${key}', '')}`], `${id}.${key}`).toContain(value);
      }
    }
    const patterns = [/\bre_[A-Za-z0-9_]{8,}/u, /\bLTAI[0-9A-Za-z]{8,}/u, /postgres(ql)?:\/\/[^\s:/]+:[^\s@]+@/u, /-----BEGIN/u, /\bsk-[A-Za-z0-9]{16,}/u, /\bSTS\.[A-Za-z0-9]{8,}/u];
    for (const pattern of patterns) expect(text).not.toMatch(pattern);
  });

  it('names in deploy/deploy.env.example every variable it needs without a default, and defines every ${vars.x} it uses', () => {
    const example = readDeployEnvExample();
    const needed = [...text.matchAll(/\$\{env\('([A-Za-z_][A-Za-z0-9_]*)'\)\}/gu)].map((match) => match[1] ?? '');
    expect(needed.filter((name) => !(name in example))).toEqual([]);
    const used = new Set([...text.matchAll(/\$\{vars\.([A-Za-z0-9_]+)\}/gu)].map((match) => match[1] ?? ''));
    expect([...used].filter((name) => !(name in s.vars))).toEqual([]);
  });

  it('builds before deploying and runs the rules deployer for the custom bus after', () => {
    const scripts = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(s.actions['pre-deploy']).toEqual([{ run: 'npm run -s build', path: './' }]);
    const [routing] = s.actions['success-deploy'] as { run: string; path: string }[];
    expect(routing?.run).toMatch(/^npm run -s deploy:routing -- /u);
    expect(routing?.run).toContain('--function-prefix ${vars.functionPrefix}');
    expect(routing?.run).toContain('--custom-buses-only');
    expect(scripts.build).toBeDefined();
    expect(scripts['deploy:routing']).toContain('scripts/deploy-routing.ts');
  });

  it('uses the bus and the dead-letter queue of the routing declaration', () => {
    expect(s.vars.bus).toBe(BusName.VectorSync);
    expect(s.vars.deadLetterQueue).toBe(DEAD_LETTER_QUEUE.name);
    for (const [, { props }] of resources) {
      if ('EVENT_BUS_NAME' in props.environmentVariables) expect(props.environmentVariables.EVENT_BUS_NAME).toBe('${vars.bus}');
    }
  });

  it('deploys every function a rule or trigger targets', () => {
    const ids = new Set(resources.map(([id]) => id));
    for (const route of ROUTES) expect(ids.has(route.target.functionName), route.rule).toBe(true);
  });

  it('subscribes collect-stats to TaskCompleted on the default bus with the pattern of the default-bus route', () => {
    const route = ROUTES.find((candidate) => candidate.bus === BusName.Default);
    const collect = resources.find(([id]) => id === route?.target.functionName)?.[1].props;
    const trigger = (collect?.triggers as any[]).find((candidate) => candidate.triggerType === 'eventbridge');
    expect(trigger.triggerConfig.eventSourceConfig.eventSourceType).toBe('Default');
    expect(trigger.triggerConfig.triggerEnable).toBe(true);
    expect(canonicalJson(JSON.parse(trigger.triggerConfig.eventRuleFilterPattern))).toBe(canonicalJson(route?.pattern));
    expect(JSON.parse(trigger.triggerConfig.eventRuleFilterPattern).data.commandName).toEqual([{ prefix: COMMAND_NAME_PREFIX }]);
    expect(trigger.triggerConfig.runOptions.deadLetterQueue.Arn).toContain(`/queues/\${vars.deadLetterQueue}`);
  });

  it('lists eventbridge triggers after every other trigger of a function', () => {
    for (const [id, { props }] of resources) {
      const types = ((props.triggers ?? []) as { triggerType: string }[]).map((trigger) => trigger.triggerType);
      const firstEventBridge = types.indexOf('eventbridge');
      if (firstEventBridge >= 0) expect(types.slice(firstEventBridge).every((type) => type === 'eventbridge'), id).toBe(true);
    }
  });

  it.each([
    ['reconcile', 'reconcile'],
    ['notify', 'digest'],
  ])('runs %s on a timer whose event the handler accepts (task %s)', (id, task) => {
    const props = resources.find(([name]) => name === id)?.[1].props;
    const timer = (props?.triggers as any[]).find((trigger) => trigger.triggerType === 'timer');
    expect(timer.triggerConfig).toMatchObject({ enable: true, cronExpression: expect.stringMatching(/^@every \d+m$|^(\S+ ){5}\S+$/u) });
    expect(TimerEventSchema.safeParse({ triggerTime: '2026-11-23T10:00:00Z', triggerName: timer.triggerName, payload: timer.triggerConfig.payload }).success).toBe(true);
    expect(JSON.parse(timer.triggerConfig.payload)).toEqual({ task });
  });

  it('bounds async retries and event age for every function', () => {
    for (const [id, { props }] of resources) {
      const config = props.asyncInvokeConfig as { maxAsyncRetryAttempts: number; maxAsyncEventAgeInSeconds: number };
      expect(config, id).toBeDefined();
      expect(config.maxAsyncRetryAttempts).toBeGreaterThanOrEqual(0);
      expect(config.maxAsyncRetryAttempts).toBeLessThanOrEqual(8);
      expect(config.maxAsyncEventAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(config.maxAsyncEventAgeInSeconds).toBeLessThanOrEqual(86_400);
    }
  });
});

describe('RAM policies (deploy/ram)', () => {
  const values = policyValues(readDeployEnvExample());
  const policy = (name: string) => renderPolicy(readFileSync(join(projectRoot, 'deploy/ram', name), 'utf8'), values) as { Statement: { Action: string | string[]; Resource?: string[]; Condition?: unknown }[] };
  const actionsOf = (name: string) => policy(name).Statement.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));

  it('render without an unknown placeholder and never grant a wildcard action or resource', () => {
    for (const name of readdirSync(join(projectRoot, 'deploy/ram')).filter((file) => file.endsWith('.json'))) {
      const rendered = policy(name);
      expect(JSON.stringify(rendered)).not.toContain('${');
      for (const statement of rendered.Statement) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        expect(actions.some((action) => action === '*' || action.endsWith(':*')), name).toBe(false);
        for (const resource of statement.Resource ?? []) expect(resource, name).not.toBe('*');
      }
    }
  });

  it('let the FC role publish on the bus, run commands only on tagged workers, and touch nothing of OSS Vectors', () => {
    const fc = policy('fc-role.policy.json');
    const put = fc.Statement.find((statement) => statement.Action.includes('eventbridge:PutEvents'));
    expect(put?.Resource).toEqual([`acs:eventbridge:${values.region}:${values.accountId}:eventbus/${BusName.VectorSync}`]);
    const onInstances = fc.Statement.find((statement) => statement.Action.includes('ecs:RunCommand') && statement.Resource?.[0]?.includes(':instance/'));
    expect(onInstances?.Condition).toEqual({ StringEquals: { [`ecs:tag/${WORKER_TAG.key}`]: WORKER_TAG.value } });
    expect(actionsOf('fc-role.policy.json')).toEqual(expect.arrayContaining(['ecs:DescribeInvocations', 'ecs:DescribeInvocationResults', 'oss:GetObject', 'oss:PutObject']));
    expect(actionsOf('fc-role.policy.json').filter((action) => /Vector/u.test(action))).toEqual([]);
  });

  it('let the publisher put events on the changes bus and nowhere else, so its keys cannot reach a rebuild route', () => {
    const publisher = policy('publisher-user.policy.json');
    expect(publisher.Statement).toEqual([
      { Effect: 'Allow', Action: ['eventbridge:PutEvents'], Resource: [`acs:eventbridge:${values.region}:${values.accountId}:eventbus/${BusName.Changes}`] },
    ]);
    const onChanges = ROUTES.filter((route) => route.bus === BusName.Changes).map((route) => route.pattern.type);
    expect(onChanges).toEqual([[EventType.ChangesPublished]]);
  });

  it('let the worker role do every OSS Vectors operation the client calls, on the one vector bucket', () => {
    const client = readFileSync(join(projectRoot, 'shared/clients/oss-vectors/OssVectorsClient.ts'), 'utf8');
    const operations = new Set([...client.matchAll(/\(\s*'([A-Z][A-Za-z]*Vector[A-Za-z]*)'/gu)].map((match) => match[1] ?? ''));
    // The worker never lists or deletes buckets, so its role may not either.
    const worker = readdirSync(join(projectRoot, 'ecs'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(projectRoot, 'ecs', file), 'utf8'))
      .join('\n');
    for (const unused of ['ListVectorBuckets', 'DeleteVectorBucket']) {
      expect(worker).not.toContain(`.${unused[0]?.toLowerCase()}${unused.slice(1)}(`);
      operations.delete(unused);
    }
    expect(operations.size).toBeGreaterThanOrEqual(8);
    const granted = actionsOf('ecs-worker-role.policy.json');
    expect([...operations].filter((operation) => !granted.includes(`oss:${operation}`))).toEqual([]);
    const vectors = policy('ecs-worker-role.policy.json').Statement.find((statement) => statement.Action.includes('oss:PutVectors'));
    for (const resource of vectors?.Resource ?? []) expect(resource).toContain(`:bucket/${values.vectorBucket}`);
  });
});

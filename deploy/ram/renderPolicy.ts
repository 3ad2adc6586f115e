import { BusName, DEAD_LETTER_QUEUE } from '../../shared/routing';

/** The tag that marks worker instances; the FC role may run commands only on those. */
export const WORKER_TAG = { key: 'vector-sync', value: 'worker' } as const;

/** Placeholder values of deploy/ram/*.json, from the deploy environment. */
export function policyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const need = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (value === '') throw new Error(`${name} is not set (see deploy/deploy.env.example)`);
    return value;
  };
  return {
    region: need('ALIBABA_CLOUD_REGION'),
    accountId: need('ALIBABA_CLOUD_ACCOUNT_ID'),
    bus: BusName.VectorSync,
    changesBus: BusName.Changes,
    deadLetterQueue: DEAD_LETTER_QUEUE.name,
    artifactsBucket: need('VECTOR_SYNC_ARTIFACTS_BUCKET'),
    vectorBucket: need('VECTOR_SYNC_VECTOR_BUCKET'),
    logProject: need('VECTOR_SYNC_LOG_PROJECT'),
    logstore: env.VECTOR_SYNC_LOGSTORE?.trim() || 'vector-sync-functions',
    fcRole: env.VECTOR_SYNC_FC_ROLE?.trim() || 'vector-sync-fc',
    workerTagKey: WORKER_TAG.key,
    workerTagValue: WORKER_TAG.value,
  };
}

/** Fills every `${name}` of a policy template; an unknown placeholder is an error. */
export function renderPolicy(template: string, values: Readonly<Record<string, string>>): unknown {
  const text = template.replace(/\$\{([A-Za-z]+)\}/gu, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`policy placeholder \${${name}} has no value`);
    return value;
  });
  return JSON.parse(text);
}

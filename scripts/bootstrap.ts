// One-time set-up of a new account, each step safe to run twice (docs/deploy.md, step 4):
//
//   npm run bootstrap -- worker   uploads dist/ecs/worker.js to
//                                 oss://$VECTOR_SYNC_ARTIFACTS_BUCKET/workers/$VECTOR_SYNC_WORKER_VERSION/worker.js
//                                 with its sha256 (same bytes again: nothing to do; other bytes
//                                 under an existing version: refused)
//   npm run bootstrap -- index    creates the vector bucket and the first index of the logical
//     [--index documentsv1]       index $VECTOR_INDEX, registers it in the ledger and activates it
//
// `npm run bootstrap` builds first. Settings come from the environment (deploy/deploy.env.example);
// nothing secret is printed. Logs are JSON lines on stdout.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { createFirstIndexWith, publishWorkerBundle } from '../shared/bootstrap';
import { OssObjectStore } from '../shared/clients/oss';
import { integer, optional, required } from '../shared/config';
import { IndexNameSchema } from '../shared/contracts';
import { Logger } from '../shared/logging';

const USAGE = 'usage: npm run bootstrap -- <worker|index> [--index <generation name>] [--bundle dist/ecs/worker.js]';

const CommonSchema = z.object({
  ALIBABA_CLOUD_REGION: required('the region, e.g. cn-hangzhou'),
  ALIBABA_CLOUD_ACCESS_KEY_ID: required('an access key allowed to do this step'),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: required('its secret'),
  ALIBABA_CLOUD_SECURITY_TOKEN: optional(''),
});

const WorkerStepSchema = CommonSchema.extend({
  VECTOR_SYNC_ARTIFACTS_BUCKET: required('the OSS bucket of worker bundles and reports'),
  VECTOR_SYNC_WORKER_VERSION: required('the version the bundle is published as').regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/u, 'must be 1-64 of letters, digits, . _ - (it is part of a path on the instances)'),
  OSS_ENDPOINT: optional(''),
});

const IndexStepSchema = CommonSchema.extend({
  ALIBABA_CLOUD_ACCOUNT_ID: required('the numeric account id'),
  SUPABASE_DB_URL: required('the Postgres URL of the Supabase project'),
  VECTOR_SYNC_VECTOR_BUCKET: required('the OSS Vectors bucket'),
  VECTOR_INDEX: optional('documents').pipe(IndexNameSchema),
  VECTOR_DIMENSION: integer(384, 1, 4096),
  VECTOR_METRIC: optional('cosine').pipe(z.enum(['cosine', 'euclidean'])),
  OSS_VECTORS_ENDPOINT: optional(''),
});

class UsageError extends Error {}

function settingsFrom<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new UsageError(`missing or bad settings: ${problems.join('; ')}`);
}

async function publishWorker(log: Logger, bundle: string): Promise<void> {
  const env = settingsFrom(WorkerStepSchema, process.env);
  const store = new OssObjectStore({
    region: env.ALIBABA_CLOUD_REGION,
    bucket: env.VECTOR_SYNC_ARTIFACTS_BUCKET,
    endpoint: env.OSS_ENDPOINT === '' ? `oss-${env.ALIBABA_CLOUD_REGION}.aliyuncs.com` : env.OSS_ENDPOINT,
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    ...(env.ALIBABA_CLOUD_SECURITY_TOKEN === '' ? {} : { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN }),
  });
  log.info('publishing the worker bundle', { bundle, bucket: env.VECTOR_SYNC_ARTIFACTS_BUCKET, version: env.VECTOR_SYNC_WORKER_VERSION });
  const published = await publishWorkerBundle({ workerBundle: bundle, workerVersion: env.VECTOR_SYNC_WORKER_VERSION, store, workerPrefix: 'workers/' });
  log.info(published.status === 'uploaded' ? 'worker bundle uploaded' : 'worker bundle already published', { ...published });
}

async function createIndex(log: Logger, bundle: string, indexName: string | undefined): Promise<void> {
  const env = settingsFrom(IndexStepSchema, process.env);
  const generation = IndexNameSchema.safeParse(indexName ?? `${env.VECTOR_INDEX}v1`);
  if (!generation.success) throw new UsageError(`--index: ${generation.error.issues[0]?.message ?? 'invalid'}`);
  const settings: Record<string, string> = {
    SUPABASE_DB_URL: env.SUPABASE_DB_URL,
    OSS_VECTORS_REGION: env.ALIBABA_CLOUD_REGION,
    ALIBABA_ACCOUNT_ID: env.ALIBABA_CLOUD_ACCOUNT_ID,
    VECTOR_BUCKET: env.VECTOR_SYNC_VECTOR_BUCKET,
    ALIBABA_CLOUD_ACCESS_KEY_ID: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    ...(env.ALIBABA_CLOUD_SECURITY_TOKEN === '' ? {} : { ALIBABA_CLOUD_SECURITY_TOKEN: env.ALIBABA_CLOUD_SECURITY_TOKEN }),
    ...(env.OSS_VECTORS_ENDPOINT === '' ? {} : { OSS_VECTORS_ENDPOINT: env.OSS_VECTORS_ENDPOINT }),
  };
  log.info('creating the first index', { bucket: env.VECTOR_SYNC_VECTOR_BUCKET, index: generation.data, logical: env.VECTOR_INDEX, dimension: env.VECTOR_DIMENSION, metric: env.VECTOR_METRIC });
  const result = await createFirstIndexWith({ workerBundle: bundle, indexName: generation.data, logicalName: env.VECTOR_INDEX, dimension: env.VECTOR_DIMENSION, metric: env.VECTOR_METRIC, settings });
  log.info('index ready', { result });
}

async function main(): Promise<number> {
  const log = new Logger({ fields: { component: 'bootstrap', runId: randomUUID() } });
  try {
    const { values, positionals } = parseArgs({ allowPositionals: true, options: { index: { type: 'string' }, bundle: { type: 'string', default: 'dist/ecs/worker.js' } } });
    const bundle = resolve(values.bundle);
    if (positionals.length !== 1) throw new UsageError('name one step: worker or index');
    if (positionals[0] === 'worker') await publishWorker(log, bundle);
    else if (positionals[0] === 'index') await createIndex(log, bundle, values.index);
    else throw new UsageError(`unknown step ${positionals[0] ?? ''}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'TypeError' && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      log.error(error.message);
      process.stderr.write(`${USAGE}\n`);
      return 64;
    }
    log.error('bootstrap step failed', { error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
    return 1;
  }
}

main().then((code) => process.exit(code), () => process.exit(1));

// The worker's validation query against the emulator's default searchable delay (the cloud's
// 2,500 ms): fresh vectors are not found at first, and the query's retries wait them out within
// SEARCHABLE_WAIT_SECONDS' default.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerContext } from '../../ecs/context';
import { validationQuery } from '../../ecs/jobs/verify';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator } from '../../local/oss-vectors';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { VectorInput } from '../../shared/clients/oss-vectors';
import { WorkerConfigSchema } from '../../shared/config';
import type { IndexRow } from '../../shared/ledger';

const running: OssVectorsEmulator[] = [];
const INDEX: IndexRow = { index_name: 'docsv1', logical_name: 'docs', bucket: 'delay-test', dimension: 4, metric: 'cosine', state: 'active' };

/** The emulator on its defaults, the index, and three vectors written to it just now. */
async function freshlyWritten(): Promise<{ oss: OssVectorsClient; written: VectorInput[] }> {
  const emulator = await startOssVectorsEmulator();
  running.push(emulator);
  const credential = emulator.credentials[0]!;
  const oss = new OssVectorsClient({ region: emulator.region, accountId: emulator.accountId, credentials: credential, endpoint: emulator.endpoint });
  await oss.putVectorBucket(INDEX.bucket);
  await oss.putVectorIndex({ bucket: INDEX.bucket, indexName: INDEX.index_name, dimension: INDEX.dimension, distanceMetric: INDEX.metric });
  const written = [1, 2, 3].map((n) => ({ key: `doc-${n}`, data: [n, 1, 0, 0] }));
  await oss.putVectors({ bucket: INDEX.bucket, indexName: INDEX.index_name, vectors: written });
  return { oss, written };
}

function workerWith(oss: OssVectorsClient, searchableWaitSeconds: number): WorkerContext {
  return { config: { VALIDATION_SAMPLE: 3, SEARCHABLE_WAIT_SECONDS: searchableWaitSeconds }, oss } as unknown as WorkerContext;
}

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

describe('the validation query under the searchable delay', () => {
  it('finds every sampled vector by waiting, with the default SEARCHABLE_WAIT_SECONDS', async () => {
    // Prepare
    const { oss, written } = await freshlyWritten();
    const wait = WorkerConfigSchema.shape.SEARCHABLE_WAIT_SECONDS.parse(undefined);
    // Act
    const result = await validationQuery(workerWith(oss, wait), INDEX, written);
    // Assert
    expect(result).toMatchObject({ sampled: 3, matched: 3 });
  });

  it('finds none of them without waiting: the delay is in force', async () => {
    // Prepare
    const { oss, written } = await freshlyWritten();
    // Act
    const result = await validationQuery(workerWith(oss, 0), INDEX, written);
    // Assert
    expect(result).toMatchObject({ sampled: 3, matched: 0 });
  });
});

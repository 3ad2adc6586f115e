// Issue 15's promises end to end on the local cloud: a metadata-only change reaches the index, a
// search run by text finds the document whose text was queried (embedded by the embed-query edge
// function) and mails it, a verify report shows recall@10 over a sample, and a verify with
// `heal: false` reports seeded drift and leaves it in place (a verify with heal on then mends it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, sampleDocuments } from '../../local/corpus';
import { StackDefaults, compareIndex } from '../../local/stack';
import type { LocalCloud } from '../../local/stack';
import type { RunRequestedData } from '../../shared/contracts';
import { databaseTarget, postgresServerSkipReason, postgresServerUrl } from '../helpers/database';
import { activeGeneration as activeOf, drain as drainCloud, indexAccess, runToEnd, startE2eCloud, vectorsClient } from '../helpers/localCloudRuns';
import type { E2eCloud } from '../helpers/localCloudRuns';

let started: E2eCloud | undefined;
let cloud: LocalCloud;
const skipped = databaseTarget === 'postgres' && postgresServerUrl() === undefined;

const drain = () => drainCloud(cloud);
const vectors = () => vectorsClient(cloud);
const activeGeneration = () => activeOf(cloud);
const run = (data: RunRequestedData) => runToEnd(cloud, data);

beforeAll(async () => {
  if (skipped) return;
  started = await startE2eCloud('e2e-search-');
  cloud = started.cloud;
  await loadCorpus(cloud.sql, sampleDocuments(120, 15));
  await drain();
}, 240_000);

afterAll(async () => {
  await started?.close();
}, 60_000);

describe.skipIf(skipped)(`the index is for search, on the local cloud${skipped ? ` (skipped: ${postgresServerSkipReason()})` : ''}`, () => {
  it('brings a metadata-only change into the index', async () => {
    // Prepare
    const [doc] = await cloud.sql<{ id: string }[]>`select id::text as id from public.source_documents order by id limit 1`;
    const id = doc?.id ?? '';
    // Act
    await cloud.sql`update public.source_documents set metadata = metadata || '{"topic": "changed-by-e2e"}' where id = ${id}`;
    await drain();
    // Assert
    const [held] = await vectors().getVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(), keys: [id], returnMetadata: true });
    expect(held?.metadata).toMatchObject({ topic: 'changed-by-e2e' });
    expect(typeof held?.metadata?.snippet).toBe('string');
  }, 180_000);

  it('answers a search run by text with the document whose text was queried first, and mails it', async () => {
    // Prepare: a document's own text as the query
    const [doc] = await cloud.sql<{ id: string; content: string }[]>`select id::text as id, content from public.source_documents order by id desc limit 1`;
    // Act
    const { result, html } = await run({ op: 'search', index: StackDefaults.logicalIndex, queries: [{ text: doc?.content ?? '', label: 'the last document, word for word' }, { documentId: doc?.id ?? '' }], topK: 5, recall: true, passages: false, requestedBy: 'e2e' });
    // Assert
    const [byText, byDocument] = result.search?.queries ?? [];
    expect(byText).toMatchObject({ kind: 'text', label: 'the last document, word for word' });
    expect(byText?.error).toBeUndefined();
    expect(byText?.hits[0]?.documentId).toBe(doc?.id);
    expect(byDocument?.hits[0]?.documentId).toBe(doc?.id);
    expect(result.search?.recall?.k).toBe(5);
    expect(result.search?.archiveKey).toMatch(new RegExp(`^searches/${StackDefaults.logicalIndex}/`, 'u'));
    expect(result.search?.textModel?.models).toBe(1);
    expect(html).toContain(`Text queries were embedded with ${result.search?.textModel?.model ?? '?'}.`);
    expect(html).toContain('the last document, word for word');
    expect(html).toContain(doc?.id ?? '');
  }, 180_000);

  it('reports drift and recall@10 with heal: false and leaves the drift in place; heal on mends it', async () => {
    // Prepare: a vector deleted behind the pipeline's back
    const [doc] = await cloud.sql<{ id: string }[]>`select document_id::text as id from public.document_embeddings order by document_id limit 1 offset 7`;
    const id = doc?.id ?? '';
    await vectors().deleteVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(), keys: [id] });
    // Act
    const unhealed = await run({ op: 'verify', index: StackDefaults.logicalIndex, heal: false, requestedBy: 'e2e' });
    await drain();
    // Assert: reported, with recall@10, and still missing
    expect(unhealed.result.drift).toMatchObject({ missing: 1 });
    expect(unhealed.result.recall).toMatchObject({ k: 10 });
    expect(unhealed.result.recall?.sampled).toBeGreaterThan(0);
    expect(unhealed.html).toContain('left in place: this run was asked not to heal (heal: false)');
    expect(unhealed.html).toMatch(/recall@10 over \d+ sampled documents: [01]\.\d\d/u);
    const keys = indexAccess(cloud);
    expect((await compareIndex(cloud.sql, keys)).missing).toEqual([id]);
    // Act: heal on
    const healed = await run({ op: 'verify', index: StackDefaults.logicalIndex, heal: true, requestedBy: 'e2e' });
    await drain();
    // Assert
    expect(healed.result.healed).toBe(1);
    expect((await compareIndex(cloud.sql, keys)).missing).toEqual([]);
  }, 240_000);
});

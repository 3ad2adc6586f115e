// Issue 16's promise end to end on the local cloud: a document of many passages is split by
// embed-documents (the default settings, 400 tokens of about 4 characters), each passage becomes a
// vector, a sentence from its end is found by a search run, a shrink deletes the passages past the
// new end from the index, and verify finds no drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, sampleDocuments } from '../../local/corpus';
import { StackDefaults, compareIndex } from '../../local/stack';
import type { LocalCloud } from '../../local/stack';
import { vectorKey } from '../../shared/contracts';
import { databaseTarget, postgresServerSkipReason, postgresServerUrl } from '../helpers/database';
import { activeGeneration, drain, indexAccess, runToEnd, startE2eCloud, vectorsClient } from '../helpers/localCloudRuns';
import type { E2eCloud } from '../helpers/localCloudRuns';

let started: E2eCloud | undefined;
let cloud: LocalCloud;
const skipped = databaseTarget === 'postgres' && postgresServerUrl() === undefined;

const PLACES = ['Tromso', 'Lagos', 'Quito', 'Hobart', 'Tbilisi', 'Cusco', 'Bergen', 'Dakar', 'Osaka', 'Perth', 'Windhoek', 'Reykjavik'];
const THINGS = ['granite quarries', 'tram depots', 'salt marshes', 'clock towers', 'rope makers', 'glass furnaces', 'ferry piers', 'spice markets', 'bell foundries', 'tea terraces', 'paper mills', 'lighthouse lenses'];
const LAST_SENTENCE = 'At the very end the night ferry to Punta Arenas carried seventeen violins and one sleeping cartographer.';

/** Twelve paragraphs of about 560 characters, each about its own place, ending with LAST_SENTENCE. */
function longDocument(): string {
  const paragraphs = PLACES.map((place, i) => {
    const thing = THINGS[i] ?? 'harbours';
    const sentence = `In ${place} the survey counted the ${thing} one street at a time, and the ${thing} of ${place} were measured again each spring.`;
    return [sentence, sentence.replace('survey', 'second survey'), sentence.replace('survey', 'third survey'), `Notes from ${place} fill chapter ${i + 1}.`].join(' ');
  });
  return `${paragraphs.join('\n\n')}\n\n${LAST_SENTENCE}`;
}

beforeAll(async () => {
  if (skipped) return;
  started = await startE2eCloud('e2e-passages-');
  cloud = started.cloud;
  await loadCorpus(cloud.sql, sampleDocuments(60, 16));
  await drain(cloud);
}, 240_000);

afterAll(async () => {
  await started?.close();
}, 60_000);

describe.skipIf(skipped)(`long documents become passages, on the local cloud${skipped ? ` (skipped: ${postgresServerSkipReason()})` : ''}`, () => {
  it('finds a sentence from the end of a long document, deletes the passages a shrink removed, and verifies clean', async () => {
    // Prepare: a document of many passages, embedded and synced
    const content = longDocument();
    const [doc] = await cloud.sql<{ id: string }[]>`insert into public.source_documents (content, metadata) values (${content}, '{"topic": "atlas"}') returning id::text as id`;
    const id = doc?.id ?? '';
    await drain(cloud);
    const passages = await cloud.sql<{ passage_no: number; text: string }[]>`
      select e.passage_no, substr(d.content, e.passage_start + 1, coalesce(e.passage_chars, 100000)) as text
      from public.document_embeddings as e join public.source_documents as d on d.id = e.document_id
      where e.document_id = ${id} order by e.passage_no`;
    expect(passages.length).toBeGreaterThanOrEqual(4);
    expect(passages.every((p) => p.text.length <= 1600)).toBe(true);
    const last = passages.length - 1;
    expect(passages[last]?.text.endsWith(LAST_SENTENCE)).toBe(true);
    const keys = passages.map((p) => vectorKey(id, p.passage_no));
    const held = await vectorsClient(cloud).getVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(cloud), keys, returnMetadata: true });
    expect(held.map((v) => v.key).sort()).toEqual([...keys].sort());

    // Act: search for the last sentence, by document and by passage
    const grouped = await runToEnd(cloud, { op: 'search', index: StackDefaults.logicalIndex, queries: [{ text: LAST_SENTENCE, label: 'the last sentence' }], topK: 5, recall: true, passages: false, requestedBy: 'e2e' });
    const asPassages = await runToEnd(cloud, { op: 'search', index: StackDefaults.logicalIndex, queries: [{ text: LAST_SENTENCE }], topK: 5, recall: false, passages: true, requestedBy: 'e2e' });

    // Assert: the document comes first, by its last passage, and each document once
    const [byDocument] = grouped.result.search?.queries ?? [];
    expect(byDocument?.hits[0]).toMatchObject({ documentId: id, passageNo: last });
    expect(byDocument?.hits[0]?.snippet).toBeTruthy();
    expect(new Set(byDocument?.hits.map((hit) => hit.documentId)).size).toBe(byDocument?.hits.length);
    expect(grouped.result.search?.recall?.recall).toBe(1);
    expect(grouped.html).toContain(id);
    const [byPassage] = asPassages.result.search?.queries ?? [];
    expect(byPassage?.hits[0]).toMatchObject({ documentId: id, passageNo: last });

    // Act: shrink the document to its first two paragraphs
    const shorter = content.split('\n\n').slice(0, 2).join('\n\n');
    await cloud.sql`update public.source_documents set content = ${shorter} where id = ${id}::uuid`;
    await drain(cloud);

    // Assert: the removed passages are gone from the sidecar and from the index
    const [{ n } = { n: 0 }] = await cloud.sql<{ n: number }[]>`select count(*)::int as n from public.document_embeddings where document_id = ${id}`;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThan(passages.length);
    const removed = keys.slice(n);
    const stillThere = await vectorsClient(cloud).getVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(cloud), keys: removed });
    expect(stillThere).toEqual([]);
    const compared = await compareIndex(cloud.sql, indexAccess(cloud));
    expect({ missing: compared.missing, stale: compared.stale, orphaned: compared.orphaned }).toEqual({ missing: [], stale: [], orphaned: [] });
    const [status] = await cloud.sql<{ status: string; passages: number; indexed_vectors: number }[]>`
      select status, passages::int as passages, indexed_vectors::int as indexed_vectors from vector_sync.document_status where document_id = ${id}`;
    expect(status).toMatchObject({ status: 'indexed', passages: n, indexed_vectors: n });

    // Act + Assert: verify finds no drift, and its report counts documents and vectors
    const verified = await runToEnd(cloud, { op: 'verify', index: StackDefaults.logicalIndex, heal: true, requestedBy: 'e2e' });
    expect(verified.result.drift).toMatchObject({ missing: 0, stale: 0, orphaned: 0 });
    const [stats] = await cloud.sql<{ total_vectors: number; total_documents: number }[]>`
      select total_vectors::int, total_documents::int from vector_sync.index_stats(${await activeGeneration(cloud)})`;
    expect(stats?.total_vectors).toBe((stats?.total_documents ?? 0) + n - 1);
    expect(verified.html).toContain('Indexed documents');
  }, 300_000);
});

-- record_index_writes records a write batch against the read it came from: a vector whose rows
-- changed since they were read (an edit, a passage added) is held as unknown and its document
-- queued for a sync; a record from a read older than what index_state holds leaves that be.
begin;
select plan(14);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-0000000000e1', 'kept'),
  ('00000000-0000-4000-8000-0000000000e2', 'edited'),
  ('00000000-0000-4000-8000-0000000000e3', 'grown');
select vector_sync_tests.embed(id) from public.source_documents;
-- Written an hour ago; a page read them half an hour ago.
select vector_sync_tests.age_documents();
create temporary table page as
select d.id::text as id, greatest(d.updated_at, e.updated_at) as version, now() - interval '30 minutes' as read_at
from public.source_documents as d join public.document_embeddings as e on e.document_id = d.id;
-- Since the read: e2 edited (its metadata), e3 grown a second passage.
update public.source_documents set metadata = '{"v": 2}' where id = '00000000-0000-4000-8000-0000000000e2';
select vector_sync.write_embeddings(
  array_fill('00000000-0000-4000-8000-0000000000e3'::uuid, array[2]), array_fill(vector_sync_tests.hash('grown'), array[2]),
  array[0, 1], array[vector_sync_tests.hash('gro'), vector_sync_tests.hash('wn')], array[0, 3], array[3, 2], 'test:model',
  array[vector_sync_tests.embedding(0.1), vector_sync_tests.embedding(0.2)]);
delete from pgmq.q_vector_sync;

-- The page's writes: e1 and e2 put, e3's passage 1 deleted (it was past the end when read).
select is(
  vector_sync.record_index_writes('docsV1',
    array['00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000e3'],
    array[0, 0, 1],
    array[vector_sync_tests.hash('kept'), vector_sync_tests.hash('edited'), null],
    array[repeat('a', 64), repeat('b', 64), null],
    array[(select version from page where id like '%e1'), (select version from page where id like '%e2'), null],
    array_fill(now() - interval '30 minutes', array[3])),
  2, 'two documents changed since the read are queued'
);
select results_eq(
  $$ select document_id, passage_no, content_hash, vector_hash from vector_sync.index_state order by 1, 2 $$,
  $$ values ('00000000-0000-4000-8000-0000000000e1', 0, vector_sync_tests.hash('kept'), repeat('a', 64)),
            ('00000000-0000-4000-8000-0000000000e2', 0, repeat('0', 64), null::text),
            ('00000000-0000-4000-8000-0000000000e3', 1, repeat('0', 64), null::text) $$,
  'the unchanged vector is recorded; the edited one and the passage deleted after it was written are held as unknown'
);
select results_eq(
  $$ select message ->> 'id' from pgmq.q_vector_sync order by 1 $$,
  $$ values ('00000000-0000-4000-8000-0000000000e2'), ('00000000-0000-4000-8000-0000000000e3') $$,
  'their documents are queued for a sync, each once'
);

-- A writer that read before the mark (its write may have landed first) does not clear it ...
select is(
  vector_sync.record_index_writes('docsV1', array['00000000-0000-4000-8000-0000000000e2'], array[0],
    array[vector_sync_tests.hash('edited')], array[repeat('c', 64)],
    array[(select greatest(d.updated_at, e.updated_at) from public.source_documents as d join public.document_embeddings as e on e.document_id = d.id where d.id = '00000000-0000-4000-8000-0000000000e2')],
    array[now() - interval '1 minute']),
  0, 'a current write read before the mark queues nothing'
);
select is(
  (select content_hash from vector_sync.index_state where document_id = '00000000-0000-4000-8000-0000000000e2'), repeat('0', 64),
  'and leaves the mark'
);
-- ... the sync that reads after it does.
select is(
  vector_sync.record_index_writes('docsV1', array['00000000-0000-4000-8000-0000000000e2'], array[0],
    array[vector_sync_tests.hash('edited')], array[repeat('c', 64)],
    array[(select greatest(d.updated_at, e.updated_at) from public.source_documents as d join public.document_embeddings as e on e.document_id = d.id where d.id = '00000000-0000-4000-8000-0000000000e2')],
    array[now()]),
  0, 'the write of the sync queued by the mark'
);
select is(
  (select vector_hash from vector_sync.index_state where document_id = '00000000-0000-4000-8000-0000000000e2'), repeat('c', 64),
  'is recorded'
);

-- Deletes: a passage with no row now is forgotten, unless recorded after the read.
update vector_sync.index_state set synced_at = synced_at - interval '1 hour' where document_id = '00000000-0000-4000-8000-0000000000e1';
select is(
  vector_sync.record_index_writes('docsV1', array['00000000-0000-4000-8000-0000000000e1'], array[0], array[null]::text[], array[null]::text[],
    array[null]::timestamptz[], array[now() - interval '30 minutes']),
  1, 'deleting a passage that has a row is a delete from an old read: queued'
);
delete from public.source_documents where id = '00000000-0000-4000-8000-0000000000e1';
update vector_sync.index_state set synced_at = synced_at - interval '1 hour' where document_id = '00000000-0000-4000-8000-0000000000e1';
select is(
  vector_sync.record_index_writes('docsV1', array['00000000-0000-4000-8000-0000000000e1'], array[0], array[null]::text[], array[null]::text[],
    array[null]::timestamptz[], array[now() - interval '1 minute']),
  0, 'once the document is gone, its delete'
);
select is((select count(*)::int from vector_sync.index_state where document_id = '00000000-0000-4000-8000-0000000000e1'), 0, 'is recorded');

-- Refusals.
select throws_ok(
  $$ select vector_sync.record_index_writes('docsV1', array['x'], array[0, 1], array[null]::text[], array[null]::text[], array[null]::timestamptz[], array[now()]) $$,
  '22023', null, 'arrays of unequal length are refused'
);
select throws_ok(
  $$ select vector_sync.record_index_writes('docsV1', array['x'], array[0], array[null]::text[], array[null]::text[], array[null]::timestamptz[], array[null]::timestamptz[]) $$,
  '22023', null, 'a write without the time of its read is refused'
);
select throws_ok(
  $$ select vector_sync.record_index_writes('docsV1', array['x'], array[0], array[null]::text[], array[repeat('a', 64)], array[null]::timestamptz[], array[now()]) $$,
  '22023', null, 'a vector hash without a content hash is refused'
);
select throws_ok(
  $$ select vector_sync.record_index_writes('docsNone', array['x'], array[0], array[null]::text[], array[null]::text[], array[null]::timestamptz[], array[now()]) $$,
  'P0002', null, 'an index not registered is refused'
);

select * from finish();
rollback;

-- One prepared document per status, each with its reason; a lookup by id finds exactly its row.
begin;
select plan(19);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');

-- Documents (the last two characters name them):
--   a1 no embedding             a2 embedded from older content   a3 embedded, not held
--   a4 held, change queued      a5 held, in a claimed batch      a6 held, in an open run
--   a7 held, last run upserted  a8 held, last run skipped        a9 rejected
--   b1 failed                   b4 blank, not held               b5 blank, still held
-- and ids without a document: b2 deleted by a run, b3 still held.
insert into public.source_documents (id, content)
select ('00000000-0000-4000-8000-0000000000' || n)::uuid, 'content ' || n
from unnest(array['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'b1']) as t(n);
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-0000000000b4', ' '),
  ('00000000-0000-4000-8000-0000000000b5', E'\n');
select vector_sync_tests.embed(id) from public.source_documents where content like 'content %' and id::text not like '%a1';
update public.document_embeddings set content_hash = vector_sync_tests.hash('older') where document_id::text like '%a2';
select vector_sync.upsert_index_state('docsV1',
  array(select id::text from public.source_documents where right(id::text, 2) in ('a4', 'a5', 'a6', 'a7', 'a8') order by id),
  array(select vector_sync_tests.hash(content) from public.source_documents where right(id::text, 2) in ('a4', 'a5', 'a6', 'a7', 'a8') order by id));
select vector_sync.upsert_index_state('docsV1',
  array['00000000-0000-4000-8000-0000000000b3', '00000000-0000-4000-8000-0000000000b5'],
  array[vector_sync_tests.hash('gone'), vector_sync_tests.hash('blanked')]);
select pgmq.purge_queue('vector_sync');
select pgmq.purge_queue('embedding_jobs');

-- a4: a change queued.
select pgmq.send('vector_sync', '{"id": "00000000-0000-4000-8000-0000000000a4"}'::jsonb);
-- a5: in a batch claimed but not yet published.
with b as (insert into vector_sync.change_batches (logical_name, id_count) values ('docs', 1) returning batch_id)
insert into vector_sync.change_batch_items (batch_id, document_id, changed_at)
select batch_id, '00000000-0000-4000-8000-0000000000a5', now() from b;
-- a6: in a run still open.
select vector_sync_tests.open_run('evt-open', 'sync', array['00000000-0000-4000-8000-0000000000a6']);
-- a7, a8, a9 and b2: what a finished run did with them.
select vector_sync_tests.chunked_run('evt-done', 'sync', array[
  '00000000-0000-4000-8000-0000000000a7', '00000000-0000-4000-8000-0000000000a8',
  '00000000-0000-4000-8000-0000000000a9', '00000000-0000-4000-8000-0000000000b2'], 4);
select vector_sync_tests.dispatch_chunk('evt-done', 0);
select vector_sync.record_items(vector_sync_tests.run_id('evt-done'), array['00000000-0000-4000-8000-0000000000a7'], 'upsert', 'upserted');
select vector_sync.record_items(vector_sync_tests.run_id('evt-done'), array['00000000-0000-4000-8000-0000000000a8'], 'upsert', 'skipped');
select vector_sync.record_items(vector_sync_tests.run_id('evt-done'), array['00000000-0000-4000-8000-0000000000a9'], 'upsert', 'rejected');
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-done'), 0, '00000000-0000-4000-8000-0000000000a9', 'DimensionMismatch', 'expected 384 values');
select vector_sync.record_items(vector_sync_tests.run_id('evt-done'), array['00000000-0000-4000-8000-0000000000b2'], 'delete', 'deleted');
select vector_sync_tests.succeed_chunk('evt-done', 0);
select vector_sync.complete_run(vector_sync_tests.run_id('evt-done'));
-- b1: its run failed before the worker got to it.
select vector_sync_tests.chunked_run('evt-failed', 'sync', array['00000000-0000-4000-8000-0000000000b1'], 1);
select vector_sync_tests.dispatch_chunk('evt-failed', 0, 'c-failed0');
select vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-failed'), 0, 'worker died', 1);
select vector_sync.complete_run(vector_sync_tests.run_id('evt-failed'));

create temporary table statuses as
select right(document_id, 2) as doc, status, reason, index_name from vector_sync.document_status;

select results_eq(
  $$select doc, status from statuses order by doc$$,
  $$values
    ('a1', 'pending_embedding'), ('a2', 'pending_embedding'), ('a3', 'pending_sync'), ('a4', 'pending_sync'),
    ('a5', 'pending_sync'), ('a6', 'pending_sync'), ('a7', 'indexed'), ('a8', 'unchanged'), ('a9', 'rejected'),
    ('b1', 'failed'), ('b2', 'deleted'), ('b3', 'pending_sync'), ('b4', 'deleted'), ('b5', 'pending_sync')$$,
  'one row per document id, each with its status'
);
select is((select reason from statuses where doc = 'a1'), 'no embedding yet', 'pending_embedding: no embedding');
select is((select reason from statuses where doc = 'a2'), 'the content changed since it was embedded', 'pending_embedding: outdated embedding');
select is((select reason from statuses where doc = 'a3'), 'embedded; the index does not hold it yet', 'pending_sync: embedded, not held');
select is((select reason from statuses where doc = 'a4'), 'a change is queued for the index', 'pending_sync: queued');
select is((select reason from statuses where doc = 'a5'), 'a change is in a batch not yet published', 'pending_sync: batched');
select is((select reason from statuses where doc = 'a6'), 'a run is writing it', 'pending_sync: in an open run');
select is((select reason from statuses where doc = 'a9'), 'DimensionMismatch: expected 384 values', 'rejected: the reason and detail of the rejection');
select is((select reason from statuses where doc = 'b1'), 'worker died (gave up after 1 attempts)', 'failed: the error of the chunk that had it');
select is((select reason from statuses where doc = 'b2'), 'its vector was deleted', 'deleted: the run deleted its vector');
select is((select reason from statuses where doc = 'b3'), 'the document is gone; its vector is still to be deleted', 'pending_sync: a gone document still held');
select is((select reason from statuses where doc = 'b4'), 'blank content is never embedded', 'deleted: blank content');
select is((select reason from statuses where doc = 'b5'), 'blank content: its vector is still to be deleted', 'pending_sync: blanked but still held');
select is((select count(*)::int from statuses where index_name is distinct from 'docsV1'), 0, 'every row names the active generation');

select results_eq(
  $$select status, indexed_at = now(), last_outcome, last_run_id = vector_sync_tests.run_id('evt-done')
    from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000a7'$$,
  $$values ('indexed', true, 'upserted', true)$$,
  'a lookup by id answers the one row, with when it was indexed and the last run that saw it'
);
select is(
  (select count(*)::int from vector_sync.document_status where document_id = 'not-a-document'),
  0, 'an id nobody knows has no row'
);

-- The index now holds what the rejected and failed documents have: their status follows the index.
select vector_sync.upsert_index_state('docsV1',
  array['00000000-0000-4000-8000-0000000000a9', '00000000-0000-4000-8000-0000000000b1'],
  array[vector_sync_tests.hash('content a9'), vector_sync_tests.hash('content b1')]);
select results_eq(
  $$select right(document_id, 2), status from vector_sync.document_status
    where document_id in ('00000000-0000-4000-8000-0000000000a9', '00000000-0000-4000-8000-0000000000b1') order by 1$$,
  $$values ('a9', 'indexed'), ('b1', 'indexed')$$,
  'rejected and failed only while the index does not hold the current hash'
);

-- A newer embedding than the last verdict: the verdict is about older content.
update public.source_documents set content = 'content a9, edited' where right(id::text, 2) = 'a9';
select is(
  (select status from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000a9'),
  'pending_embedding', 'an edit sends a rejected document back to pending_embedding'
);

-- Without an active generation every embedded document is waiting for one.
update vector_sync.indexes set state = 'retired', retired_at = now() where index_name = 'docsV1';
select is(
  (select status || '/' || coalesce(index_name, 'none') from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000a7'),
  'pending_sync/none', 'no active generation: embedded documents are pending_sync, with no index named'
);

select * from finish();
rollback;

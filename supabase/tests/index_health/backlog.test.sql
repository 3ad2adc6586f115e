-- Backlog: queue depths, batches not yet published, open runs and their chunks, dead letters and
-- parked events.
begin;
select plan(11);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
select vector_sync.register_index('otherV1', 'other', 'vector-bucket', 384, 'cosine');

-- Two embedding jobs (the inserts) and one vector_sync message (the embedding).
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select pgmq.purge_queue('embedding_jobs');
select pgmq.send_batch('embedding_jobs', array['{"id": "00000000-0000-4000-8000-000000000001"}', '{"id": "00000000-0000-4000-8000-000000000002"}']::jsonb[]);
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000001');

-- Batches: claimed (3 ids) and parked (2 ids) count; published ones and another index's do not.
insert into vector_sync.change_batches (logical_name, id_count, state, published_at, parked_at, last_error) values
  ('docs', 3, 'claimed', null, null, null),
  ('docs', 2, 'parked', null, now(), 'PutEvents: 503'),
  ('docs', 7, 'published', now(), null, null),
  ('other', 5, 'claimed', null, null, null);

-- An open run with three chunks, one in flight; a completed run whose chunks are done.
select vector_sync_tests.chunked_run('evt-open', 'sync',
  array['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3'], 1);
select vector_sync_tests.dispatch_chunk('evt-open', 0);
select vector_sync_tests.chunked_run('evt-done', 'sync', array['00000000-0000-4000-8000-0000000000b1'], 1);
select vector_sync_tests.dispatch_chunk('evt-done', 0, 'c-done0');
select vector_sync_tests.succeed_chunk('evt-done', 0);
select vector_sync.complete_run(vector_sync_tests.run_id('evt-done'));
-- A ready chunk of another logical index's open run is not this index's backlog.
select vector_sync.add_chunk((vector_sync.open_run('evt-other', 'sync', 'otherV1', array['00000000-0000-4000-8000-0000000000c1'])).run_id, 0, '{"ids": ["00000000-0000-4000-8000-0000000000c1"]}');

insert into vector_sync.dead_letters (queue, msg_id, document_id, read_ct, step, error) values
  ('embedding_jobs', 1, 'doc-1', 5, 'embed', 'boom'),
  ('vector_sync', 2, 'doc-2', 5, 'publish', 'boom');
select vector_sync.park_event('validate', 'evt-bad', 'vectorsync.changes.published', null, 'EventInvalid', 'no data', '{}'::jsonb);

create temporary table health as select vector_sync.index_health('docs') -> 'backlog' as b;

select is((select (b ->> 'embeddingJobs')::int from health), 2, 'embedding_jobs depth');
select is((select (b ->> 'vectorSync')::int from health), 1, 'vector_sync depth');
select is((select (b ->> 'batchesClaimed')::int from health), 1, 'batches claimed and not yet published');
select is((select (b ->> 'idsClaimed')::int from health), 3, 'with their id counts');
select is((select (b ->> 'batchesParked')::int from health), 1, 'batches parked after failed publishes');
select is((select (b ->> 'idsParked')::int from health), 2, 'with their id counts');
select is((select (b ->> 'openRuns')::int from health), 1, 'open runs of this logical index');
select is((select (b ->> 'chunksReady')::int from health), 2, 'chunks waiting to be dispatched');
select is((select (b ->> 'chunksInFlight')::int from health), 1, 'chunks in flight');
select is((select (b ->> 'deadLetters')::int from health), 2, 'dead letters of both queues');
select is((select (b ->> 'parkedEvents')::int from health), 1, 'parked events');

select * from finish();
rollback;

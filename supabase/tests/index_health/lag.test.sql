-- Lag: the age of the oldest change not yet in the index, and change-to-indexed seconds (p50, p95,
-- count) of the items that reached an outcome in the window.
begin;
select plan(10);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
select pgmq.purge_queue('vector_sync');

select is(
  (select vector_sync.index_health('docs') -> 'lag' from (values (1)) as t(x)) ->> 'oldestSeconds', null,
  'nothing waiting: no oldest change'
);

-- Waiting: a queued message (100 s), an item of an open run (200 s), a batch item without a run
-- (300 s), and an item of a published batch whose run is not open yet (400 s).
select pgmq.send('vector_sync', '{"id": "00000000-0000-4000-8000-000000000001"}'::jsonb);
update pgmq.q_vector_sync set enqueued_at = now() - interval '100 seconds';
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestSeconds}')::numeric, 100.000,
  'a queued change: the age of the oldest message'
);

select vector_sync_tests.open_run('evt-open', 'sync', array['00000000-0000-4000-8000-000000000002']);
update vector_sync.run_items set changed_at = now() - interval '200 seconds' where run_id = vector_sync_tests.run_id('evt-open');
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestSeconds}')::numeric, 200.000,
  'a change in an open run'
);

with b as (insert into vector_sync.change_batches (logical_name, id_count) values ('docs', 1) returning batch_id)
insert into vector_sync.change_batch_items (batch_id, document_id, changed_at)
select batch_id, '00000000-0000-4000-8000-000000000003', now() - interval '300 seconds' from b;
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestSeconds}')::numeric, 300.000,
  'a change in a batch not yet published'
);

with b as (insert into vector_sync.change_batches (logical_name, id_count, state, published_at) values ('docs', 1, 'published', now()) returning batch_id)
insert into vector_sync.change_batch_items (batch_id, document_id, changed_at)
select batch_id, '00000000-0000-4000-8000-000000000004', now() - interval '400 seconds' from b;
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestSeconds}')::numeric, 400.000,
  'a change in a published batch whose run is not open yet'
);
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestChangeAt}')::timestamptz, now() - interval '400 seconds',
  'with the time of that change'
);

-- Once the run is final its items are in the index: they no longer count as waiting.
update vector_sync.runs set state = 'failed', failed_at = now(), error = 'x' where run_id = vector_sync_tests.run_id('evt-open');
delete from vector_sync.change_batches where state = 'published';
select is(
  (vector_sync.index_health('docs') #>> '{lag,oldestSeconds}')::numeric, 300.000,
  'items of a final run are not waiting'
);

-- Change-to-indexed over a window: five items of a finished run with lags 10..50 s, and items that
-- must not count (a manual run's, one outside the window, one without an outcome).
select vector_sync_tests.open_run('evt-done', 'sync', array[
  '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3',
  '00000000-0000-4000-8000-0000000000a4', '00000000-0000-4000-8000-0000000000a5', '00000000-0000-4000-8000-0000000000a6',
  '00000000-0000-4000-8000-0000000000a7']);
update vector_sync.runs
set state = 'completed', chunk_count = 0, accepted_at = '2026-01-01 00:00+00', completed_at = '2026-01-01 00:10+00'
where run_id = vector_sync_tests.run_id('evt-done');
update vector_sync.run_items as i
set op = 'upsert', outcome = 'upserted',
    updated_at = '2026-01-01 00:05+00'::timestamptz,
    changed_at = '2026-01-01 00:05+00'::timestamptz - pg_catalog.make_interval(secs => 10 * right(i.document_id, 1)::int)
where i.run_id = vector_sync_tests.run_id('evt-done');
update vector_sync.run_items set updated_at = '2025-12-31 23:00+00' where document_id = '00000000-0000-4000-8000-0000000000a6';
update vector_sync.run_items set outcome = null, op = null where document_id = '00000000-0000-4000-8000-0000000000a7';
select vector_sync_tests.open_run('evt-manual', 'sync', array['00000000-0000-4000-8000-0000000000b1']);
update vector_sync.runs set state = 'completed', chunk_count = 0, accepted_at = '2026-01-01 00:00+00', completed_at = '2026-01-01 00:10+00'
where run_id = vector_sync_tests.run_id('evt-manual');
update vector_sync.run_items set op = 'upsert', outcome = 'upserted', updated_at = '2026-01-01 00:05+00'
where run_id = vector_sync_tests.run_id('evt-manual');

create temporary table windowed as
select vector_sync.index_health('docs', '2026-01-01 00:00+00', '2026-01-01 00:12+00') -> 'lag' as l;
select is((select (l ->> 'count')::int from windowed), 5, 'items with an outcome and a change time in the window are measured');
select is((select (l ->> 'p50Seconds')::numeric from windowed), 30.000, 'p50 of 10, 20, 30, 40, 50 s');
select is((select (l ->> 'p95Seconds')::numeric from windowed), 48.000, 'p95 of 10, 20, 30, 40, 50 s (interpolated)');

select * from finish();
rollback;

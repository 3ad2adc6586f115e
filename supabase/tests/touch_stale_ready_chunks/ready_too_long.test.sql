-- Chunks left in 'ready' too long with their attempt planned (dispatch took the slot, then died
-- before the RunCommand was recorded) are handed out again, once per waiting period. A chunk that
-- waits for a slot is not: next_waiting_chunks names it when a slot frees.
begin;
select plan(7);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c']);
select vector_sync_tests.dispatch_chunk('evt-1', 1, 'c-try1');
select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-a', 10);
-- A run still being chunked: its ready chunks are not lost, chunk publishes them.
select vector_sync_tests.open_run('evt-2', 'sync', array['doc-d'], 1);
update vector_sync.chunks set updated_at = now() - interval '10 minutes';

select is(
  (select count(*)::int from vector_sync.touch_stale_ready_chunks('1 hour')), 0,
  'a chunk ready for less than the waiting period is left alone'
);
create temporary table stale as select * from vector_sync.touch_stale_ready_chunks('5 minutes');
select is((select count(*)::int from stale), 1, 'only the planned ready chunk of a chunked run is stale');
select is((select chunk_no from stale), 0, 'it is the chunk whose attempt was planned');
select ok((select updated_at = now() from stale), 'its updated_at is set to now');
select is(
  (select updated_at < now() from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-1') and chunk_no = 2), true,
  'a chunk waiting for a slot is not touched'
);
select is(
  (select count(*)::int from vector_sync.touch_stale_ready_chunks('5 minutes')), 0,
  'the next pass waits the period again'
);
select throws_ok(
  $$select * from vector_sync.touch_stale_ready_chunks('5 minutes', 0)$$,
  '22023', null, 'a limit under 1 is refused'
);

select * from finish();
rollback;

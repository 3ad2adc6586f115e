-- Chunks left in 'ready' too long are handed out again, once per waiting period.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b']);
select vector_sync_tests.dispatch_chunk('evt-1', 1, 'c-try1');
-- A run still being chunked: its ready chunks are not lost, chunk publishes them.
select vector_sync_tests.open_run('evt-2', 'sync', array['doc-c'], 1);
update vector_sync.chunks set updated_at = now() - interval '10 minutes';

select is(
  (select count(*)::int from vector_sync.touch_stale_ready_chunks('1 hour')), 0,
  'a chunk ready for less than the waiting period is left alone'
);
create temporary table stale as select * from vector_sync.touch_stale_ready_chunks('5 minutes');
select is((select count(*)::int from stale), 1, 'only the ready chunk of a chunked run is stale');
select is((select chunk_no from stale), 0, 'it is the chunk still in ready');
select ok((select updated_at = now() from stale), 'its updated_at is set to now');
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

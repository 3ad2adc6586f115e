-- runs_ready_to_close lists the open runs whose close was lost: every chunk final (or none at all)
-- for longer than the grace, and no other run.
begin;
select plan(6);

select vector_sync_tests.register_index();
-- Both chunks finished a minute ago; nobody closed the run.
select vector_sync_tests.chunked_run('evt-done', 'sync', array['a', 'b']);
select vector_sync_tests.dispatch_chunk('evt-done', 0, 'c-done0');
select vector_sync_tests.dispatch_chunk('evt-done', 1, 'c-done1');
select vector_sync_tests.succeed_chunk('evt-done', 0);
select vector_sync_tests.succeed_chunk('evt-done', 1);
update vector_sync.chunks set finished_at = now() - interval '1 minute' where run_id = vector_sync_tests.run_id('evt-done');
-- One chunk still running.
select vector_sync_tests.chunked_run('evt-half', 'sync', array['c', 'd']);
select vector_sync_tests.dispatch_chunk('evt-half', 0, 'c-half0');
select vector_sync_tests.dispatch_chunk('evt-half', 1, 'c-half1');
select vector_sync_tests.succeed_chunk('evt-half', 0);
update vector_sync.chunks set finished_at = now() - interval '1 minute' where run_id = vector_sync_tests.run_id('evt-half');
-- Nothing to do, chunked a minute ago; and one chunked just now.
select vector_sync_tests.chunked_run('evt-empty', 'verify');
update vector_sync.runs set chunked_at = now() - interval '1 minute' where run_id = vector_sync_tests.run_id('evt-empty');
select vector_sync_tests.chunked_run('evt-fresh', 'verify');

select set_eq(
  $$ select source_event_id from vector_sync.runs_ready_to_close(interval '30 seconds') $$,
  array['evt-done', 'evt-empty'],
  'runs whose chunks are all final (or that have none) past the grace are listed'
);
select is(
  (select count(*)::int from vector_sync.runs_ready_to_close(interval '5 minutes')),
  0, 'within the grace nothing is listed: the settler of the last chunk may still close it'
);
select is(
  (select count(*)::int from vector_sync.runs_ready_to_close(interval '30 seconds', 1)),
  1, 'p_limit bounds the answer'
);

select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-done'))).state, 'completed', 'complete_run closes the listed run');
select ok(
  not exists (select 1 from vector_sync.runs_ready_to_close(interval '30 seconds') where source_event_id = 'evt-done'),
  'a closed run is no longer listed'
);
select is(
  (select count(*)::int from vector_sync.runs_ready_to_close(interval '0 seconds') where source_event_id = 'evt-half'),
  0, 'a run with a chunk in flight is never listed'
);

select * from finish();
rollback;

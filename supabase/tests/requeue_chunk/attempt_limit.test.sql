-- reconcile requeues a silent chunk until it has used its attempts, then fails it.
begin;
select plan(12);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a']);
select vector_sync_tests.dispatch_chunk('evt-1', 0, 'c-try1');

create temporary table first_requeue as
select * from vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-1'), 0, 'invocation not found', 3);
select is((select state from first_requeue), 'ready', 'a silent chunk under its attempt limit goes back to ready');
select ok((select command_id is null and dispatched_at is null from first_requeue), 'the lost attempt''s command id is forgotten');
select is((select error from first_requeue), 'invocation not found', 'the reason is kept');
select is(
  (vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-1'), 0, 'invocation not found', 3)).state,
  'ready',
  'requeueing a ready chunk again is harmless'
);
select throws_ok(
  $$select vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 0, true, '{"upserted": 1}', null, 'c-try1')$$,
  '55000', null, 'a late report from the lost attempt is refused'
);

select is(
  (vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-try2', 't-try2', 'i-inst0')).attempts,
  2,
  'the second dispatch counts the second attempt'
);
select throws_ok(
  $$select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 0, 'c-try1')$$,
  '55000', null, 'the lost attempt cannot mark the re-dispatched chunk running'
);
select is(
  (vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-1'), 0, 'timed out', 3)).state,
  'ready',
  'two attempts of three: back to ready'
);
select vector_sync_tests.dispatch_chunk('evt-1', 0, 'c-try3');

create temporary table last_requeue as
select * from vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-1'), 0, 'timed out', 3);
select is((select state from last_requeue), 'failed', 'a chunk that used its attempts fails');
select is((select attempts from last_requeue), 3, 'it failed after three attempts');
select is((select error from last_requeue), 'timed out (gave up after 3 attempts)', 'the failure carries the reason');
select is(
  (vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))).state,
  'failed',
  'the run of a chunk that gave up ends failed'
);

select * from finish();
rollback;

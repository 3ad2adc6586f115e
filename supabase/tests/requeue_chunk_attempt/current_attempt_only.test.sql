-- A lost attempt is requeued only while it is still the chunk's current attempt.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a']);
select vector_sync_tests.dispatch_chunk('evt-1', 0, 'c-try1');

select is(
  (vector_sync.requeue_chunk_attempt(vector_sync_tests.run_id('evt-1'), 0, 'c-try1', 'Failed, exit 1', 2)).state,
  'ready',
  'the current attempt that died goes back to ready'
);
select vector_sync_tests.dispatch_chunk('evt-1', 0, 'c-try2');
create temporary table late as
select * from vector_sync.requeue_chunk_attempt(vector_sync_tests.run_id('evt-1'), 0, 'c-try1', 'Failed, exit 1', 2);
select is((select state from late), 'dispatched', 'a duplicated report of the first attempt leaves the second alone');
select is((select command_id from late), 'c-try2', 'the second attempt keeps its command id');
select is(
  (vector_sync.requeue_chunk_attempt(vector_sync_tests.run_id('evt-1'), 0, 'c-try2', 'Timeout, exit 137', 2)).state,
  'failed',
  'the last attempt that died fails the chunk'
);
select throws_ok(
  $$select vector_sync.requeue_chunk_attempt(vector_sync_tests.run_id('evt-1'), 0, null, 'x', 2)$$,
  '22023', null, 'a null command id is refused'
);
select throws_ok(
  $$select vector_sync.requeue_chunk_attempt(vector_sync_tests.run_id('evt-1'), 9, 'c-try2', 'x', 2)$$,
  'P0002', null, 'an unknown chunk raises no_data_found'
);

select * from finish();
rollback;

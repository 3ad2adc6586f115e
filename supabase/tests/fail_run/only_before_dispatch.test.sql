-- A run that cannot be chunked is failed directly, once; a dispatched run ends through complete_run.
begin;
select plan(3);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'verify');

select is(
  (vector_sync.fail_run(vector_sync_tests.run_id('evt-1'), 'bucket not found')).state,
  'failed',
  'an accepted run can be failed directly'
);
select is(
  (vector_sync.fail_run(vector_sync_tests.run_id('evt-1'), 'again')).error,
  'bucket not found',
  'failing it again keeps the first error'
);

select vector_sync_tests.chunked_run('evt-2', 'sync', array['doc-c']);
select vector_sync_tests.dispatch_chunk('evt-2', 0);
select throws_ok(
  $$select vector_sync.fail_run(vector_sync_tests.run_id('evt-2'), 'late')$$,
  '55000', null, 'a dispatched run cannot be failed directly: it ends through complete_run'
);

select * from finish();
rollback;

-- A failed chunk fails its run, which still sums its counts and names the chunk that failed.
begin;
select plan(5);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b']);
select vector_sync_tests.dispatch_chunk('evt-1', 0);
select vector_sync_tests.dispatch_chunk('evt-1', 1);
select vector_sync_tests.succeed_chunk('evt-1', 0);

select is(
  (vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 1, false, '{"failed": 1}', 'worker exited with 3')).state,
  'failed',
  'a chunk can finish as failed'
);
create temporary table ended as select * from vector_sync.complete_run(vector_sync_tests.run_id('evt-1'));
select is((select state from ended), 'failed', 'a run with a failed chunk ends failed');
select is((select array[upserted, failed] from ended), array[1, 1]::bigint[], 'a failed run still sums its counts');
select matches((select error from ended), '^1 of 2 chunk\(s\) failed; first chunk 1: worker exited with 3$', 'the run error names the failed chunk');
select ok((select failed_at is not null and completed_at is null from ended), 'failed_at is set, completed_at is not');

select * from finish();
rollback;

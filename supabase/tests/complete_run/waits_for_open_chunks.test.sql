-- complete_run leaves a run alone while any of its chunks is still open.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c'], 1);

select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))).state, 'accepted', 'an accepted run is left accepted');
select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 3);
select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))).state, 'chunked', 'a chunked run with undispatched chunks is left chunked');

select vector_sync_tests.dispatch_chunk('evt-1', 0);
select vector_sync_tests.dispatch_chunk('evt-1', 1);
select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 1);
select vector_sync_tests.succeed_chunk('evt-1', 0);
create temporary table waiting as select * from vector_sync.complete_run(vector_sync_tests.run_id('evt-1'));
select is((select state from waiting), 'dispatched', 'a run with running and ready chunks stays dispatched');
select is((select upserted from waiting), 0::bigint, 'counts are not summed while chunks are open');

select vector_sync_tests.succeed_chunk('evt-1', 1);
select vector_sync_tests.dispatch_chunk('evt-1', 2);
select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))).state, 'dispatched', 'one dispatched chunk still keeps the run open');

select vector_sync_tests.succeed_chunk('evt-1', 2, '{"skipped": 1}');
select is(
  (select state || ' ' || upserted || ' ' || skipped from vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))),
  'completed 2 1',
  'the run completes once the last chunk is final'
);

select * from finish();
rollback;

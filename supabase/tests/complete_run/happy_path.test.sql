-- A run goes accepted -> chunked -> dispatched -> completed and sums its chunks' counts.
begin;
select plan(17);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c', 'doc-d'], 2);

select is((vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2)).chunk_count, 2, 'the run records its chunk count');
select is((select state from vector_sync.runs where run_id = vector_sync_tests.run_id('evt-1')), 'chunked', 'the run is chunked');

create temporary table dispatched as
select * from vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-cmd0', 't-inv0', 'i-inst0');
select is((select state from dispatched), 'dispatched', 'a ready chunk moves to dispatched');
select is((select attempts from dispatched), 1, 'dispatching counts an attempt');
select is((select command_id || ' ' || invoke_id || ' ' || instance_id from dispatched), 'c-cmd0 t-inv0 i-inst0', 'the RunCommand ids are kept');
select is((select state from vector_sync.runs where run_id = vector_sync_tests.run_id('evt-1')), 'dispatched', 'the first dispatched chunk moves the run to dispatched');
select is((vector_sync.chunk_for_command('c-cmd0')).chunk_no, 0, 'chunk_for_command finds the chunk of a CommandId');

select is((vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 0, 'c-cmd0')).state, 'running', 'a dispatched chunk moves to running');
select is((vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 0)).state, 'running', 'marking it running again is harmless');
select is(
  (vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 0, true, '{"upserted": 1, "deleted": 1, "skipped": 0, "rejected": 0, "failed": 0}', null)).state,
  'succeeded',
  'a running chunk finishes as succeeded'
);
select is(
  (vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 0, false, '{"failed": 2}', 'late duplicate')).state,
  'succeeded',
  'finishing a final chunk again is a no-op that returns the row'
);

select vector_sync_tests.dispatch_chunk('evt-1', 1);
select is(
  (vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 1, true, '{"upserted": 1, "skipped": 0, "rejected": 1}', null, 'c-cmd1')).state,
  'succeeded',
  'a dispatched chunk can finish without having reported running'
);

create temporary table completed as select * from vector_sync.complete_run(vector_sync_tests.run_id('evt-1'));
select is((select state from completed), 'completed', 'a run whose chunks all succeeded completes');
select is(
  (select array[upserted, deleted, skipped, rejected, failed] from completed),
  array[2, 1, 0, 1, 0]::bigint[],
  'the run sums upserted, deleted, skipped, rejected and failed over its chunks'
);
select ok((select completed_at is not null and error is null from completed), 'completed_at is set and there is no error');
select is(
  (vector_sync.complete_run(vector_sync_tests.run_id('evt-1'))).completed_at,
  (select completed_at from completed),
  'completing a completed run again returns it unchanged'
);

select vector_sync_tests.chunked_run('evt-empty', 'rebuild');
select is(
  (vector_sync.complete_run(vector_sync_tests.run_id('evt-empty'))).state,
  'completed',
  'a chunked run with no chunk completes at once'
);

select * from finish();
rollback;

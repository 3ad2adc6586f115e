-- refuse_chunk_attempt fails a ready chunk whose planned attempt RunCommand refused for good: the
-- slot is freed, the reason kept; any other state is left alone.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-refused', 'sync', array['a', 'b']);
select * from vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-refused'), 0, 1, 'i-one', 4);
select is(vector_sync.chunk_slots_taken(), 1, 'the planned attempt holds a slot');

select is(
  (vector_sync.refuse_chunk_attempt(vector_sync_tests.run_id('evt-refused'), 0, 1, 'RunCommand refused: CmdContent.ExceedLimit')).state,
  'failed', 'the refused attempt fails the chunk'
);
select results_eq(
  $$ select attempts, error, instance_id from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-refused') and chunk_no = 0 $$,
  $$ values (1, 'RunCommand refused: CmdContent.ExceedLimit', null::text) $$,
  'the attempt is counted, the reason kept and the plan dropped'
);
select is(vector_sync.chunk_slots_taken(), 0, 'its slot is free');
select is(
  (vector_sync.refuse_chunk_attempt(vector_sync_tests.run_id('evt-refused'), 1, 2, 'stale')).state,
  'ready', 'an attempt that is not the chunk''s next one changes nothing'
);
select throws_ok(
  $$ select vector_sync.refuse_chunk_attempt(vector_sync_tests.run_id('evt-refused'), 1, 1, ' ') $$,
  '22023', null, 'a refusal needs its reason'
);

select * from finish();
rollback;

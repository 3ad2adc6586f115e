-- plan_chunk_instance: the first plan of an attempt stands; it moves only off an instance that
-- could not take the command, and there is none once the attempt has been dispatched.
begin;
select plan(13);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a']);

select is(
  vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-first', 4)::text,
  '(planned,i-first)', 'the first delivery plans its instance'
);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-second', 4)).instance_id,
  'i-first', 'a second delivery of the same attempt gets the first plan'
);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-second', 4, 'i-other')).instance_id,
  'i-first', 'the plan moves only off the instance it names'
);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-second', 4, 'i-first')).instance_id,
  'i-second', 'an instance that could not take the command hands the plan over'
);
select is(
  (select state || ' ' || attempts || ' ' || instance_id from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-1')),
  'ready 0 i-second', 'planning leaves the chunk ready and counts no attempt'
);
select is(
  vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 2, 'i-first', 4)::text,
  '(gone,)', 'no plan for an attempt other than the next one'
);

select vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-try1', 't-try1', 'i-second');
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 1, 'i-first', 4)).outcome,
  'gone', 'no plan once the attempt is dispatched'
);
select vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-1'), 0, 'Failed, exit 1', 3);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 2, 'i-first', 4)).instance_id,
  'i-first', 'the attempt after a requeue is planned afresh'
);

select throws_ok(
  $$select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 0, 'i-first', 4)$$,
  '22023', null, 'an attempt below 1 is refused'
);
select throws_ok(
  $$select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 2, null, 4)$$,
  '22023', null, 'a missing instance id is refused'
);
select throws_ok(
  $$select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 0, 2, 'i-first', 0)$$,
  '22023', null, 'a cap below 1 is refused'
);
select throws_ok(
  $$select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 9, 1, 'i-first', 4)$$,
  'P0002', null, 'an unknown chunk raises no_data_found'
);
select ok(
  vector_sync_tests.executable_by_api_roles(array['plan_chunk_instance']) = 0
    and vector_sync_tests.with_empty_search_path(array['plan_chunk_instance']) = 1,
  'only the owner runs plan_chunk_instance, with an empty search_path'
);

select * from finish();
rollback;

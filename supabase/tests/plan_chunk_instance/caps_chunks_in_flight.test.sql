-- plan_chunk_instance takes a slot for a new attempt only while fewer than p_max_in_flight chunks
-- are in flight (dispatched, running, or ready with an attempt planned) across every run.
begin;
select plan(9);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c']);
select vector_sync_tests.chunked_run('evt-2', 'sync', array['doc-d', 'doc-e']);
select vector_sync_tests.dispatch_chunk('evt-1', 0);

select is(vector_sync.chunk_slots_taken(), 1, 'a dispatched chunk holds a slot');
select is(
  vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-2'), 0, 1, 'i-a', 3)::text,
  '(planned,i-a)', 'another run''s chunk takes a free slot'
);
select is(vector_sync.chunk_slots_taken(), 2, 'a planned attempt holds a slot before its RunCommand is recorded');
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 1, 1, 'i-b', 3)).outcome,
  'planned', 'the last free slot is taken'
);
select is(
  vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 2, 1, 'i-a', 3)::text,
  '(deferred,)', 'a new attempt finds no free slot and is deferred'
);
select is(
  (select state || ' ' || coalesce(instance_id, 'unplanned') from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-1') and chunk_no = 2),
  'ready unplanned', 'the deferred chunk stays ready, unplanned'
);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-2'), 0, 1, 'i-b', 3, 'i-a')).instance_id,
  'i-b', 'an attempt that holds a slot still moves off an instance at the cap'
);

select vector_sync_tests.succeed_chunk('evt-1', 0);
select is(
  (vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-1'), 2, 1, 'i-a', 3)).outcome,
  'planned', 'a finished chunk frees its slot for the waiting one'
);

-- A failed run's planned attempts hold no slot (they will never be dispatched).
update vector_sync.runs set state = 'failed', failed_at = now(), error = 'given up' where run_id = vector_sync_tests.run_id('evt-2');
select is(vector_sync.chunk_slots_taken(), 2, 'a planned attempt of a run that is no longer open holds no slot');

select * from finish();
rollback;

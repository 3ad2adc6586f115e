-- next_waiting_chunks: the ready, unplanned chunks of open runs that would get the free slots now,
-- oldest run first and in chunk order.
begin;
select plan(7);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-late', 'sync', array['doc-a', 'doc-b', 'doc-c']);
select vector_sync_tests.chunked_run('evt-early', 'sync', array['doc-d', 'doc-e']);
-- Opened second, accepted first: the order is the runs' acceptance, not the rows'.
update vector_sync.runs set accepted_at = now() - interval '1 hour' where run_id = vector_sync_tests.run_id('evt-early');
-- A run still being chunked: chunk announces its chunks once the plan is recorded.
select vector_sync_tests.open_run('evt-open', 'sync', array['doc-f'], 1);

create function pg_temp.waiting(p_max_in_flight integer) returns text[] language sql as $$
  select coalesce(array_agg(r.source_event_id || '/' || n.chunk_no order by n.ordinality), '{}')
  from vector_sync.next_waiting_chunks(p_max_in_flight) with ordinality as n
  join vector_sync.runs as r on r.run_id = n.run_id;
$$;

select is(
  pg_temp.waiting(10), array['evt-early/0', 'evt-early/1', 'evt-late/0', 'evt-late/1', 'evt-late/2'],
  'every waiting chunk of a chunked run, oldest run first and in chunk order'
);
select is(pg_temp.waiting(3), array['evt-early/0', 'evt-early/1', 'evt-late/0'], 'no more than the free slots');

select vector_sync_tests.dispatch_chunk('evt-early', 0);
select vector_sync.plan_chunk_instance(vector_sync_tests.run_id('evt-early'), 1, 1, 'i-a', 10);
select is(pg_temp.waiting(3), array['evt-late/0'], 'dispatched and planned chunks hold slots and are not waiting');
select is(pg_temp.waiting(2), '{}'::text[], 'no chunk is named when every slot is taken');
select is(pg_temp.waiting(1), '{}'::text[], 'nor when more slots are taken than a lowered cap allows');
select throws_ok(
  $$select * from vector_sync.next_waiting_chunks(0)$$,
  '22023', null, 'a cap below 1 is refused'
);
select ok(
  vector_sync_tests.executable_by_api_roles(array['next_waiting_chunks', 'chunk_slots_taken']) = 0
    and vector_sync_tests.with_empty_search_path(array['next_waiting_chunks', 'chunk_slots_taken']) = 2,
  'only the owner runs next_waiting_chunks and chunk_slots_taken, with an empty search_path'
);

select * from finish();
rollback;

-- A refused event is parked once per function, and keeps its run only when the run exists.
begin;
select plan(5);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'rebuild');

select is(
  vector_sync.park_event('validate', 'e-1', 'vectorsync.run.requested', null, 'EventValidationError', 'index is empty', '{"id":"e-1"}'),
  vector_sync.park_event('validate', 'e-1', 'vectorsync.run.requested', null, 'EventValidationError', 'index is empty', '{"id":"e-1"}'),
  'a redelivered event is parked once'
);
select is((select count(*)::int from vector_sync.parked_events), 1, 'one row for one event');
select vector_sync.park_event(
  'notify', 'e-2', 'vectorsync.run.completed', vector_sync_tests.run_id('evt-1'), 'ResendValidationError', 'bad sender', null
);
select vector_sync.park_event(
  'notify', 'e-3', 'vectorsync.run.completed', '00000000-0000-0000-0000-000000000000', 'LedgerRefusedError', 'no such run', null
);
select is(
  (select run_id from vector_sync.parked_events where event_id = 'e-2'),
  vector_sync_tests.run_id('evt-1'),
  'the run of a parked event is kept when it exists'
);
select is((select run_id from vector_sync.parked_events where event_id = 'e-3'), null, 'an unknown run id is not kept');
select throws_ok(
  $$select vector_sync.park_event('validate', 'e-4', null, null, 'X', '', null)$$,
  '23514', null, 'an empty reason is refused'
);

select * from finish();
rollback;

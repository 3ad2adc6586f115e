-- A refused event is parked once per function, and keeps its run only when the run exists.
begin;
select plan(5);

do $$
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  perform vector_sync.open_run('evt-1', 'rebuild', 'docsV1');
end
$$;

select is(
  vector_sync.park_event('validate', 'e-1', 'vectorsync.run.requested', null, 'EventValidationError', 'index is empty', '{"id":"e-1"}'),
  vector_sync.park_event('validate', 'e-1', 'vectorsync.run.requested', null, 'EventValidationError', 'index is empty', '{"id":"e-1"}'),
  'a redelivered event is parked once'
);
select is((select count(*)::int from vector_sync.parked_events), 1, 'one row for one event');
do $$
begin
  perform vector_sync.park_event('notify', 'e-2', 'vectorsync.run.completed',
    (select run_id from vector_sync.runs where source_event_id = 'evt-1'), 'ResendValidationError', 'bad sender', null);
  perform vector_sync.park_event('notify', 'e-3', 'vectorsync.run.completed',
    '00000000-0000-0000-0000-000000000000', 'LedgerRefusedError', 'no such run', null);
end
$$;
select is(
  (select run_id from vector_sync.parked_events where event_id = 'e-2'),
  (select run_id from vector_sync.runs where source_event_id = 'evt-1'),
  'the run of a parked event is kept when it exists'
);
select is((select run_id from vector_sync.parked_events where event_id = 'e-3'), null, 'an unknown run id is not kept');
select throws_ok(
  $$select vector_sync.park_event('validate', 'e-4', null, null, 'X', '', null)$$,
  '23514', null, 'an empty reason is refused'
);

select * from finish();
rollback;

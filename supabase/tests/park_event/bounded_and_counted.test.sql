-- A parked event keeps a bounded excerpt, its size and digest; repeats are counted, not stored again.
begin;
select plan(7);

select vector_sync.park_event('validate', null, null, null, 'EventNotJson', 'not JSON', repeat('x', 5000), 5000, repeat('a', 64));
select vector_sync.park_event('validate', null, null, null, 'EventNotJson', 'not JSON', repeat('x', 5000), 5000, repeat('a', 64));
select vector_sync.park_event('validate', null, null, null, 'EventNotJson', 'not JSON', 'other', 5, repeat('b', 64));

select is((select count(*)::int from vector_sync.parked_events), 2, 'junk without an id: one row per distinct digest');
select is((select repeats from vector_sync.parked_events where event_sha256 = repeat('a', 64)), 2, 'the repeat is counted');
select is((select char_length(event_excerpt) from vector_sync.parked_events where event_sha256 = repeat('a', 64)), 2000, 'the excerpt is cut to 2,000 characters');
select is((select event_bytes from vector_sync.parked_events where event_sha256 = repeat('a', 64)), 5000, 'the size of the whole event is kept');

select vector_sync.park_event('notify', 'e-1', 'vectorsync.run.completed', null, 'X', 'bad', '{"id":"e-1"}', 12, repeat('c', 64));
select vector_sync.park_event('notify', 'e-1', 'vectorsync.run.completed', null, 'X', 'bad', '{"id":"e-1"}', 12, repeat('c', 64));
select is((select repeats from vector_sync.parked_events where event_id = 'e-1'), 2, 'a redelivered event id is counted on its row');

select vector_sync.park_event('notify', repeat('i', 1000), null, null, 'X', 'bad', null, null, null);
select is((select char_length(event_id) from vector_sync.parked_events where event_id like 'iii%'), 256, 'an overlong event id is stored cut, not refused');

select vector_sync.park_event('validate', 'e-2', null, null, 'X', 'old form', '{"id":"e-2","big":"yyyy"}'::jsonb);
select is(
  (select event is null and event_sha256 is not null and event_bytes > 0 from vector_sync.parked_events where event_id = 'e-2'),
  true,
  'the jsonb form stores the same bounded record, not the payload'
);

select * from finish();
rollback;

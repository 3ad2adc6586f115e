-- open_run is keyed by the source event id: a redelivered event finds its run.
begin;
select plan(13);

select vector_sync_tests.register_index();

create temporary table first_call as
select * from vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b', 'doc-a', 'doc-c'], 'ops@example.com');
create temporary table second_call as
select * from vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b', 'doc-a', 'doc-c'], 'ops@example.com');

select is((select state from first_call), 'accepted', 'a new run is accepted');
select is((select ids_total from first_call), 3, 'ids_total counts distinct ids');
select is((select run_id from second_call), (select run_id from first_call), 'the same event id returns the same run_id');
select is((select count(*)::int from vector_sync.runs where source_event_id = 'evt-1'), 1, 'the same event id opens one run');
select is(
  (select count(*)::int from vector_sync.run_items where run_id = (select run_id from first_call)),
  3,
  'run_items hold each distinct id once, not duplicated by the second call'
);
select is(
  (select array_agg(document_id order by document_id) from vector_sync.run_items where run_id = (select run_id from first_call)),
  array['doc-a', 'doc-b', 'doc-c'],
  'run_items are the ids of the event'
);
select is((select requested_by from first_call), 'ops@example.com', 'requested_by is kept');

select isnt(
  (vector_sync.open_run('evt-2', 'rebuild', 'docsV1')).run_id,
  (select run_id from first_call),
  'another event id opens another run'
);
select throws_ok(
  $$select vector_sync.open_run('evt-1', 'verify', 'docsV1')$$,
  '42710', null, 'reusing an event id for another op raises'
);
select throws_ok(
  $$select vector_sync.open_run('evt-3', 'sync', 'docsV1', array[]::text[])$$,
  '22023', null, 'a sync run without ids is refused'
);
select throws_ok(
  $$select vector_sync.open_run('evt-4', 'rebuild', 'docsV1', array['doc-a'])$$,
  '22023', null, 'a rebuild run with ids is refused'
);
select throws_ok(
  $$select vector_sync.open_run('evt-5', 'sync', 'docsV1', array['doc-a', repeat('x', 1025)])$$,
  '22023', null, 'an id longer than 1024 bytes is refused'
);
select throws_ok(
  $$select vector_sync.open_run('evt-6', 'sync', 'nosuchIndex', array['doc-a'])$$,
  'P0002', null, 'a run on an unregistered index is refused'
);

select * from finish();
rollback;

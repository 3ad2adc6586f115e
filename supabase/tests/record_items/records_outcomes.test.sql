-- The worker records the op and outcome of a run's documents in bulk.
begin;
select plan(7);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c']);
select vector_sync_tests.open_run('evt-2', 'verify');

select ok(
  (select bool_and(op is null and outcome is null) from vector_sync.run_items where run_id = vector_sync_tests.run_id('evt-1')),
  'items start with no op and no outcome'
);
select is(
  vector_sync.record_items(vector_sync_tests.run_id('evt-1'), array['doc-a', 'doc-b'], 'upsert', 'upserted'),
  2,
  'two items are recorded at once'
);
select is(
  vector_sync.record_items(vector_sync_tests.run_id('evt-1'), array['doc-a', 'doc-b'], 'upsert', 'upserted'),
  2,
  'recording them again is harmless'
);
select is(
  (select array_agg(document_id || ':' || coalesce(op, '-') || ':' || coalesce(outcome, '-') order by document_id)
   from vector_sync.run_items where run_id = vector_sync_tests.run_id('evt-1')),
  array['doc-a:upsert:upserted', 'doc-b:upsert:upserted', 'doc-c:-:-'],
  'only the named items changed'
);
select throws_ok(
  $$select vector_sync.record_items(vector_sync_tests.run_id('evt-1'), array['doc-z'], 'delete', 'deleted')$$,
  '22023', null, 'a sync run refuses documents its event did not name'
);
select throws_ok(
  $$select vector_sync.record_items(vector_sync_tests.run_id('evt-1'), array['doc-c'], 'merge', null)$$,
  '22023', null, 'an unknown op is refused'
);
select is(
  vector_sync.record_items(vector_sync_tests.run_id('evt-2'), array['doc-x'], 'delete', 'deleted'),
  1,
  'a verify run records the documents it touched'
);

select * from finish();
rollback;

-- A page's outcomes in one call: each document's op and outcome, the rejected ones with their reason.
begin;
select plan(11);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c', 'doc-d'], 4);
select vector_sync_tests.open_run('evt-2', 'rebuild');

select is(
  vector_sync.record_outcomes(
    vector_sync_tests.run_id('evt-1'), 0,
    array['doc-c', 'doc-a', 'doc-b'], array['upsert', 'upsert', 'delete'], array['rejected', 'skipped', 'deleted'],
    array['DimensionMismatch', null, null], array['got 768, index has 384', null, null]
  ),
  3,
  'three items are recorded in one call'
);
select is(
  (select array_agg(document_id || ':' || coalesce(op, '-') || ':' || coalesce(outcome, '-') order by document_id)
   from vector_sync.run_items where run_id = vector_sync_tests.run_id('evt-1')),
  array['doc-a:upsert:skipped', 'doc-b:delete:deleted', 'doc-c:upsert:rejected', 'doc-d:-:-'],
  'each item has its own op and outcome; the others are untouched'
);
select is(
  (select array_agg(document_id || ':' || reason || ':' || chunk_no || ':' || detail) from vector_sync.rejections where run_id = vector_sync_tests.run_id('evt-1')),
  array['doc-c:DimensionMismatch:0:got 768, index has 384'],
  'only the item with a reason is a rejection, with its chunk and detail'
);
select is(
  vector_sync.record_outcomes(
    vector_sync_tests.run_id('evt-1'), 0, array['doc-c'], array['upsert'], array['rejected'], array['NonFiniteValue'], array['retried']
  ),
  1,
  'recording a rejected item again is harmless'
);
select is(
  (select reason from vector_sync.rejections where run_id = vector_sync_tests.run_id('evt-1') and document_id = 'doc-c'),
  'DimensionMismatch',
  'the first reason recorded stands'
);
select is(
  vector_sync.record_outcomes(vector_sync_tests.run_id('evt-1'), 0, array[]::text[], array[]::text[], array[]::text[], array[]::text[], array[]::text[]),
  0,
  'an empty page records nothing'
);
select throws_ok(
  $$select vector_sync.record_outcomes(vector_sync_tests.run_id('evt-1'), 0, array['doc-z'], array['upsert'], array['upserted'], array[null], array[null])$$,
  '22023', null, 'a sync run refuses documents its event did not name'
);
select throws_ok(
  $$select vector_sync.record_outcomes(vector_sync_tests.run_id('evt-1'), 0, array['doc-a', 'doc-b'], array['upsert'], array['upserted', 'upserted'], array[null, null], array[null, null])$$,
  '22023', null, 'arrays of different lengths are refused'
);
select throws_ok(
  $$select vector_sync.record_outcomes(vector_sync_tests.run_id('evt-1'), 0, array['doc-a'], array['upsert'], array['skipped'], array['InvalidKey'], array[null])$$,
  '22023', null, 'a reason on an item that was not rejected is refused'
);
select throws_ok(
  $$select vector_sync.record_outcomes(vector_sync_tests.run_id('evt-1'), 7, array['doc-a'], array['upsert'], array['rejected'], array['InvalidKey'], array[null])$$,
  'P0002', null, 'an unknown chunk is refused'
);
select is(
  vector_sync.record_outcomes(vector_sync_tests.run_id('evt-2'), null, array['doc-x', 'doc-y'], array['upsert', 'upsert'], array['upserted', 'upserted'], array[null, null]::text[], array[null, null]::text[]),
  2,
  'a rebuild records the documents it touched'
);

select * from finish();
rollback;

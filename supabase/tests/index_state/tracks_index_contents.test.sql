-- index_state tracks what an index holds; index_stats counts it.
begin;
select plan(11);

select vector_sync_tests.register_index();

select is(
  (select total_vectors from vector_sync.index_stats('docsV1')),
  0::bigint,
  'an empty index holds no vectors'
);
select ok((select last_synced_at is null from vector_sync.index_stats('docsV1')), 'an empty index was never synced');

select is(
  vector_sync.upsert_index_state(
    'docsV1',
    array['doc-a', 'doc-b', 'doc-c'],
    array[encode(sha256('a'::bytea), 'hex'), encode(sha256('b'::bytea), 'hex'), encode(sha256('c'::bytea), 'hex')]
  ),
  3,
  'three documents are recorded'
);
select is(
  vector_sync.upsert_index_state(
    'docsV1',
    array['doc-a', 'doc-a'],
    array[encode(sha256('old'::bytea), 'hex'), encode(sha256('a2'::bytea), 'hex')]
  ),
  1,
  'an id given twice is written once'
);
select is(
  (select content_hash from vector_sync.index_state where index_name = 'docsV1' and document_id = 'doc-a'),
  encode(sha256('a2'::bytea), 'hex'),
  'an upsert replaces the hash, the last one given winning'
);
select is(
  (select total_vectors from vector_sync.index_stats('docsV1')),
  3::bigint,
  'upserting a known document does not add a vector'
);
select throws_ok(
  $$select vector_sync.upsert_index_state('docsV1', array['doc-x', 'doc-y'], array[encode(sha256('x'::bytea), 'hex')])$$,
  '22023', null, 'arrays of different lengths are refused'
);
select throws_ok(
  $$select vector_sync.upsert_index_state('docsV1', array['doc-x'], array['not-a-hash'])$$,
  '22023', null, 'a hash that is not SHA-256 hex is refused'
);

select is(vector_sync.delete_index_state('docsV1', array['doc-b', 'doc-missing']), 1, 'delete removes the known documents');
select is(
  (select total_vectors || ' ' || (last_synced_at = now()) from vector_sync.index_stats('docsV1')),
  '2 true',
  'index_stats counts what is left and when it was last synced'
);

select vector_sync_tests.register_index('docsV2');
select vector_sync.activate_index('docsV1');
select vector_sync.activate_index('docsV2');
select vector_sync.mark_index_dropped('docsV1');
select is(
  (select total_vectors from vector_sync.index_stats('docsV1')),
  0::bigint,
  'a dropped index holds nothing'
);

select * from finish();
rollback;

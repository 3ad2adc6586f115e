-- index_state keeps the hash of the vector last written (model and metadata) beside the content
-- hash; a write without vector hashes leaves it null (unknown: the worker writes the vector again).
begin;
select plan(7);

select vector_sync_tests.register_index();

select is(
  vector_sync.upsert_index_state('docsV1', array['doc-a', 'doc-b'], array[vector_sync_tests.hash('a'), vector_sync_tests.hash('b')], array[repeat('1', 64), repeat('2', 64)]),
  2,
  'two documents are recorded with their vector hashes'
);
select is(
  (select array_agg(vector_hash order by document_id) from vector_sync.index_state where index_name = 'docsV1'),
  array[repeat('1', 64), repeat('2', 64)],
  'each document keeps the hash of the vector written for it'
);

select vector_sync.upsert_index_state('docsV1', array['doc-a', 'doc-a'], array[vector_sync_tests.hash('a'), vector_sync_tests.hash('a')], array[repeat('3', 64), repeat('4', 64)]);
select is(
  (select vector_hash from vector_sync.index_state where index_name = 'docsV1' and document_id = 'doc-a'),
  repeat('4', 64),
  'a metadata-only rewrite replaces the vector hash, the last one given winning'
);

select vector_sync.upsert_index_state('docsV1', array['doc-b'], array[vector_sync_tests.hash('b')]);
select ok(
  (select vector_hash is null from vector_sync.index_state where index_name = 'docsV1' and document_id = 'doc-b'),
  'a write without vector hashes forgets the old one (what the index holds is unknown)'
);

select throws_ok(
  $$select vector_sync.upsert_index_state('docsV1', array['doc-x', 'doc-y'], array[vector_sync_tests.hash('x'), vector_sync_tests.hash('y')], array[repeat('1', 64)])$$,
  '22023', null, 'vector hashes of another length than the ids are refused'
);
select throws_ok(
  $$select vector_sync.upsert_index_state('docsV1', array['doc-x'], array[vector_sync_tests.hash('x')], array['ABC'])$$,
  '22023', null, 'a vector hash that is not SHA-256 hex is refused'
);
select throws_ok(
  $$update vector_sync.index_state set vector_hash = 'not-a-hash' where document_id = 'doc-a'$$,
  '23514', null, 'the column itself holds SHA-256 hex or null only'
);

select * from finish();
rollback;

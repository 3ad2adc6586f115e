-- Indexes register idempotently: the same name again returns the index, another shape raises.
begin;
select plan(6);

select is(
  (vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine')).state,
  'building',
  'a new index starts building'
);
select is(
  (vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine')).index_name,
  'docsV1',
  'registering the same index again returns it'
);
select is((select count(*)::int from vector_sync.indexes), 1, 'registering twice leaves one row');
select throws_ok(
  $$select vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 768, 'cosine')$$,
  '42710', null, 'registering the same name with another dimension raises'
);
select throws_ok(
  $$select vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'euclidean')$$,
  '42710', null, 'registering the same name with another metric raises'
);
select throws_ok(
  $$select vector_sync.register_index('docsV9', 'docs', 'vector-bucket', 384, 'dotproduct')$$,
  '22023', null, 'an unknown metric raises'
);

select * from finish();
rollback;

-- Indexes register idempotently and switch so that one index per logical name is active.
begin;
select plan(19);

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

select ok(vector_sync.active_index('docs') is null, 'no index is active before activation');

select is((vector_sync.activate_index('docsV1')).state, 'active', 'activation moves building to active');
select is((vector_sync.activate_index('docsV1')).state, 'active', 'activating an active index again is harmless');
select is((vector_sync.active_index('docs')).index_name, 'docsV1', 'active_index resolves the logical name');

do $$ begin perform vector_sync.register_index('docsV2', 'docs', 'vector-bucket', 768, 'cosine'); end $$;
select is((vector_sync.activate_index('docsV2')).state, 'active', 'the rebuilt index becomes active');
select is(
  (select state from vector_sync.indexes where index_name = 'docsV1'),
  'retired',
  'the previous active index of the logical name is retired'
);
select is((vector_sync.active_index('docs')).index_name, 'docsV2', 'active_index now resolves to the new index');
select is(
  (select count(*)::int from vector_sync.indexes where logical_name = 'docs' and state = 'active'),
  1,
  'exactly one index of the logical name is active'
);
select throws_ok(
  $$select vector_sync.activate_index('docsV1')$$,
  '55000', null, 'a retired index cannot be activated again'
);
select throws_ok(
  $$update vector_sync.indexes set state = 'active', activated_at = now() where index_name = 'docsV1'$$,
  '23505', null, 'the partial unique index refuses a second active index'
);

select is((vector_sync.mark_index_dropped('docsV1')).state, 'dropped', 'a retired index can be marked dropped');
select is((vector_sync.mark_index_dropped('docsV1')).state, 'dropped', 'marking it dropped again is harmless');
select throws_ok(
  $$select vector_sync.mark_index_dropped('docsV2')$$,
  '55000', null, 'the active index cannot be dropped'
);

select * from finish();
rollback;

-- Activating an index retires the active one of its logical name, so exactly one is active;
-- active_index resolves the logical name to it.
begin;
select plan(10);

select vector_sync_tests.register_index();

select ok(vector_sync.active_index('docs') is null, 'no index is active before activation');

select is((vector_sync.activate_index('docsV1')).state, 'active', 'activation moves building to active');
select is((vector_sync.activate_index('docsV1')).state, 'active', 'activating an active index again is harmless');
select is((vector_sync.active_index('docs')).index_name, 'docsV1', 'active_index resolves the logical name');

select vector_sync_tests.register_index('docsV2', 768);
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

select * from finish();
rollback;

-- A retired index can be marked dropped, once or again; the active index cannot.
begin;
select plan(3);

select vector_sync_tests.register_index();
select vector_sync_tests.register_index('docsV2', 768);
select vector_sync.activate_index('docsV1');
select vector_sync.activate_index('docsV2');

select is((vector_sync.mark_index_dropped('docsV1')).state, 'dropped', 'a retired index can be marked dropped');
select is((vector_sync.mark_index_dropped('docsV1')).state, 'dropped', 'marking it dropped again is harmless');
select throws_ok(
  $$select vector_sync.mark_index_dropped('docsV2')$$,
  '55000', null, 'the active index cannot be dropped'
);

select * from finish();
rollback;

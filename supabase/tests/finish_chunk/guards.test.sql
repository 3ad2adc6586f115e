-- finish_chunk finishes only a chunk in flight, and only with counts that make sense.
begin;
select plan(2);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b']);

select throws_ok(
  $$select vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 0, true, '{"upserted": 1}', null)$$,
  '55000', null, 'a ready chunk cannot finish'
);

select vector_sync_tests.dispatch_chunk('evt-1', 0);
select throws_ok(
  $$select vector_sync.finish_chunk(vector_sync_tests.run_id('evt-1'), 0, true, '{"upserted": -1}', null)$$,
  '22023', null, 'a negative count in the result is refused'
);

select * from finish();
rollback;

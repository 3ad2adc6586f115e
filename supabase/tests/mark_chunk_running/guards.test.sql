-- mark_chunk_running moves only a chunk in flight, and only a chunk that exists.
begin;
select plan(2);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b']);

select throws_ok(
  $$select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 0)$$,
  '55000', null, 'a ready chunk cannot start running'
);
select throws_ok(
  $$select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 7)$$,
  'P0002', null, 'an unknown chunk raises no_data_found'
);

select * from finish();
rollback;

-- mark_run_chunked moves an accepted run once every chunk exists; a repeat is harmless, another count raises.
begin;
select plan(4);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b']);
select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 0, '{"ids": ["doc-a"]}');

select throws_ok(
  $$select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2)$$,
  '55000', null, 'a run cannot be marked chunked with chunks missing'
);

select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 1, '{"ids": ["doc-b"]}');
select is(
  (vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2)).state,
  'chunked',
  'accepted moves to chunked once every chunk exists'
);
select is(
  (vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2)).state,
  'chunked',
  'marking the run chunked twice is harmless'
);
select throws_ok(
  $$select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 3)$$,
  '55000', null, 'marking it chunked with another chunk count raises'
);

select * from finish();
rollback;

-- mark_chunk_dispatched dispatches a ready chunk of a chunked run, once per command.
begin;
select plan(3);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b'], 1);

select throws_ok(
  $$select vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1')$$,
  '55000', null, 'a chunk of a run that is not chunked yet cannot be dispatched'
);

select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2);
select vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1');
select is(
  (vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1')).attempts,
  1,
  'the same dispatch reported twice counts one attempt'
);
select throws_ok(
  $$select vector_sync.mark_chunk_dispatched(vector_sync_tests.run_id('evt-1'), 0, 'c-other', 't-other', 'i-abcd1')$$,
  '55000', null, 'a chunk in flight cannot be dispatched by another command'
);

select * from finish();
rollback;

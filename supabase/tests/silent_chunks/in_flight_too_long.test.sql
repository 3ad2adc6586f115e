-- silent_chunks lists the chunks in flight for longer than reconcile waits.
begin;
select plan(5);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'sync', array['doc-a', 'doc-b', 'doc-c', 'doc-d']);
select vector_sync_tests.dispatch_chunk('evt-1', 0, 'c-old0');
select vector_sync_tests.dispatch_chunk('evt-1', 1, 'c-old1');
select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-1'), 1);
select vector_sync_tests.dispatch_chunk('evt-1', 2, 'c-new2');
select vector_sync_tests.dispatch_chunk('evt-1', 3, 'c-old3');
select vector_sync_tests.succeed_chunk('evt-1', 3);
-- now() is fixed inside the transaction: age the chunks by hand.
update vector_sync.chunks set dispatched_at = now() - interval '20 minutes' where chunk_no in (0, 3);
update vector_sync.chunks set dispatched_at = now() - interval '10 minutes' where chunk_no = 1;
update vector_sync.chunks set dispatched_at = now() - interval '1 minute' where chunk_no = 2;

select is(
  (select array_agg(chunk_no) from vector_sync.silent_chunks(interval '5 minutes')),
  array[0, 1],
  'dispatched and running chunks older than the threshold are silent, oldest first'
);
select is(
  (select count(*)::int from vector_sync.silent_chunks(interval '5 minutes') where chunk_no = 2),
  0,
  'a chunk dispatched recently is not silent'
);
select is(
  (select count(*)::int from vector_sync.silent_chunks(interval '5 minutes') where chunk_no = 3),
  0,
  'a finished chunk is never silent'
);
select is(
  (select array_agg(chunk_no) from vector_sync.silent_chunks(interval '15 minutes')),
  array[0],
  'a longer threshold lists fewer chunks'
);
select is(
  (select count(*)::int from vector_sync.silent_chunks(interval '5 minutes', 1)),
  1,
  'the limit caps the list'
);

select * from finish();
rollback;

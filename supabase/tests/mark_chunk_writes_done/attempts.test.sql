-- mark_chunk_writes_done marks only a running chunk, and a later attempt's running_at outdates it.
begin;
select plan(3);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-w', 'sync', array['a', 'b'], 1);
select vector_sync_tests.dispatch_chunk('evt-w', 0, 'c-w0');
select vector_sync_tests.dispatch_chunk('evt-w', 1, 'c-w1');
select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-w'), 0, 'c-w0');

select vector_sync.mark_chunk_writes_done(vector_sync_tests.run_id('evt-w'), 0);
select vector_sync.mark_chunk_writes_done(vector_sync_tests.run_id('evt-w'), 1);
select isnt((select writes_done_at from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-w') and chunk_no = 0), null, 'a running chunk is marked');
select is((select writes_done_at from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-w') and chunk_no = 1), null, 'a chunk not running is not');

-- The attempt is lost and requeued; its next attempt runs again.
update vector_sync.chunks set writes_done_at = now() - interval '1 minute' where run_id = vector_sync_tests.run_id('evt-w') and chunk_no = 0;
select vector_sync.requeue_chunk(vector_sync_tests.run_id('evt-w'), 0, 'lost', 3);
select vector_sync_tests.dispatch_chunk('evt-w', 0, 'c-w0b');
select vector_sync.mark_chunk_running(vector_sync_tests.run_id('evt-w'), 0, 'c-w0b');
select ok(
  (select writes_done_at < running_at from vector_sync.chunks where run_id = vector_sync_tests.run_id('evt-w') and chunk_no = 0),
  'the earlier attempt''s mark is older than the new attempt''s running_at'
);

select * from finish();
rollback;

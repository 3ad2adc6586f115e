-- A lost attempt is requeued only while it is still the chunk's current attempt.
begin;
select plan(6);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a"]}');
  perform vector_sync.mark_run_chunked(r, 1);
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-try1', 't-try1', 'i-inst0');
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is(
  (vector_sync.requeue_chunk_attempt((select run_id from the_run), 0, 'c-try1', 'Failed, exit 1', 2)).state,
  'ready',
  'the current attempt that died goes back to ready'
);
do $$ begin perform vector_sync.mark_chunk_dispatched((select run_id from the_run), 0, 'c-try2', 't-try2', 'i-inst0'); end $$;
create temporary table late as
select * from vector_sync.requeue_chunk_attempt((select run_id from the_run), 0, 'c-try1', 'Failed, exit 1', 2);
select is((select state from late), 'dispatched', 'a duplicated report of the first attempt leaves the second alone');
select is((select command_id from late), 'c-try2', 'the second attempt keeps its command id');
select is(
  (vector_sync.requeue_chunk_attempt((select run_id from the_run), 0, 'c-try2', 'Timeout, exit 137', 2)).state,
  'failed',
  'the last attempt that died fails the chunk'
);
select throws_ok(
  $$select vector_sync.requeue_chunk_attempt((select run_id from the_run), 0, null, 'x', 2)$$,
  '22023', null, 'a null command id is refused'
);
select throws_ok(
  $$select vector_sync.requeue_chunk_attempt((select run_id from the_run), 9, 'c-try2', 'x', 2)$$,
  'P0002', null, 'an unknown chunk raises no_data_found'
);

select * from finish();
rollback;

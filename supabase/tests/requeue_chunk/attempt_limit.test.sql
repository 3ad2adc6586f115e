-- reconcile requeues a silent chunk until it has used its attempts, then fails it.
begin;
select plan(12);

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

create temporary table first_requeue as
select * from vector_sync.requeue_chunk((select run_id from the_run), 0, 'invocation not found', 3);
select is((select state from first_requeue), 'ready', 'a silent chunk under its attempt limit goes back to ready');
select ok((select command_id is null and dispatched_at is null from first_requeue), 'the lost attempt''s command id is forgotten');
select is((select error from first_requeue), 'invocation not found', 'the reason is kept');
select is(
  (vector_sync.requeue_chunk((select run_id from the_run), 0, 'invocation not found', 3)).state,
  'ready',
  'requeueing a ready chunk again is harmless'
);
select throws_ok(
  $$select vector_sync.finish_chunk((select run_id from the_run), 0, true, '{"upserted": 1}', null, 'c-try1')$$,
  '55000', null, 'a late report from the lost attempt is refused'
);

select is(
  (vector_sync.mark_chunk_dispatched((select run_id from the_run), 0, 'c-try2', 't-try2', 'i-inst0')).attempts,
  2,
  'the second dispatch counts the second attempt'
);
select throws_ok(
  $$select vector_sync.mark_chunk_running((select run_id from the_run), 0, 'c-try1')$$,
  '55000', null, 'the lost attempt cannot mark the re-dispatched chunk running'
);
select is(
  (vector_sync.requeue_chunk((select run_id from the_run), 0, 'timed out', 3)).state,
  'ready',
  'two attempts of three: back to ready'
);
do $$ begin perform vector_sync.mark_chunk_dispatched((select run_id from the_run), 0, 'c-try3', 't-try3', 'i-inst0'); end $$;

create temporary table last_requeue as
select * from vector_sync.requeue_chunk((select run_id from the_run), 0, 'timed out', 3);
select is((select state from last_requeue), 'failed', 'a chunk that used its attempts fails');
select is((select attempts from last_requeue), 3, 'it failed after three attempts');
select is((select error from last_requeue), 'timed out (gave up after 3 attempts)', 'the failure carries the reason');
select is(
  (vector_sync.complete_run((select run_id from the_run))).state,
  'failed',
  'the run of a chunk that gave up ends failed'
);

select * from finish();
rollback;

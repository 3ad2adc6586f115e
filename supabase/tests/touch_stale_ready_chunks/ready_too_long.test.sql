-- Chunks left in 'ready' too long are handed out again, once per waiting period.
begin;
select plan(6);

do $$
declare
  r uuid;
  early uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a"]}');
  perform vector_sync.add_chunk(r, 1, '{"ids": ["doc-b"]}');
  perform vector_sync.mark_run_chunked(r, 2);
  perform vector_sync.mark_chunk_dispatched(r, 1, 'c-try1', 't-try1', 'i-inst0');
  -- A run still being chunked: its ready chunks are not lost, chunk publishes them.
  early := (vector_sync.open_run('evt-2', 'sync', 'docsV1', array['doc-c'])).run_id;
  perform vector_sync.add_chunk(early, 0, '{"ids": ["doc-c"]}');
  update vector_sync.chunks set updated_at = now() - interval '10 minutes';
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is(
  (select count(*)::int from vector_sync.touch_stale_ready_chunks('1 hour')), 0,
  'a chunk ready for less than the waiting period is left alone'
);
create temporary table stale as select * from vector_sync.touch_stale_ready_chunks('5 minutes');
select is((select count(*)::int from stale), 1, 'only the ready chunk of a chunked run is stale');
select is((select chunk_no from stale), 0, 'it is the chunk still in ready');
select ok((select updated_at = now() from stale), 'its updated_at is set to now');
select is(
  (select count(*)::int from vector_sync.touch_stale_ready_chunks('5 minutes')), 0,
  'the next pass waits the period again'
);
select throws_ok(
  $$select * from vector_sync.touch_stale_ready_chunks('5 minutes', 0)$$,
  '22023', null, 'a limit under 1 is refused'
);

select * from finish();
rollback;

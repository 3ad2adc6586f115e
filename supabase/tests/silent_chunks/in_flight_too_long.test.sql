-- silent_chunks lists the chunks in flight for longer than reconcile waits.
begin;
select plan(5);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b', 'doc-c', 'doc-d'])).run_id;
  for i in 0..3 loop
    perform vector_sync.add_chunk(r, i, pg_catalog.jsonb_build_object('ids', pg_catalog.jsonb_build_array('doc-' || i)));
  end loop;
  perform vector_sync.mark_run_chunked(r, 4);
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-old0', 't-old0', 'i-inst0');
  perform vector_sync.mark_chunk_dispatched(r, 1, 'c-old1', 't-old1', 'i-inst0');
  perform vector_sync.mark_chunk_running(r, 1);
  perform vector_sync.mark_chunk_dispatched(r, 2, 'c-new2', 't-new2', 'i-inst0');
  perform vector_sync.mark_chunk_dispatched(r, 3, 'c-old3', 't-old3', 'i-inst0');
  perform vector_sync.finish_chunk(r, 3, true, '{"upserted": 1}', null);
end
$$;
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

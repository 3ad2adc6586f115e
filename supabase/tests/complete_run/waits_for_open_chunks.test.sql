-- complete_run leaves a run alone while any of its chunks is still open.
begin;
select plan(6);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b', 'doc-c'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a"]}');
  perform vector_sync.add_chunk(r, 1, '{"ids": ["doc-b"]}');
  perform vector_sync.add_chunk(r, 2, '{"ids": ["doc-c"]}');
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is((vector_sync.complete_run((select run_id from the_run))).state, 'accepted', 'an accepted run is left accepted');
do $$ begin perform vector_sync.mark_run_chunked((select run_id from the_run), 3); end $$;
select is((vector_sync.complete_run((select run_id from the_run))).state, 'chunked', 'a chunked run with undispatched chunks is left chunked');

do $$
declare
  r uuid := (select run_id from the_run);
begin
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-cmd0', 't-inv0', 'i-inst0');
  perform vector_sync.mark_chunk_dispatched(r, 1, 'c-cmd1', 't-inv1', 'i-inst0');
  perform vector_sync.mark_chunk_running(r, 1);
  perform vector_sync.finish_chunk(r, 0, true, '{"upserted": 1}', null);
end
$$;
create temporary table waiting as select * from vector_sync.complete_run((select run_id from the_run));
select is((select state from waiting), 'dispatched', 'a run with running and ready chunks stays dispatched');
select is((select upserted from waiting), 0::bigint, 'counts are not summed while chunks are open');

do $$
declare
  r uuid := (select run_id from the_run);
begin
  perform vector_sync.finish_chunk(r, 1, true, '{"upserted": 1}', null);
  perform vector_sync.mark_chunk_dispatched(r, 2, 'c-cmd2', 't-inv2', 'i-inst0');
end
$$;
select is((vector_sync.complete_run((select run_id from the_run))).state, 'dispatched', 'one dispatched chunk still keeps the run open');

do $$ begin perform vector_sync.finish_chunk((select run_id from the_run), 2, true, '{"skipped": 1}', null); end $$;
select is(
  (select state || ' ' || upserted || ' ' || skipped from vector_sync.complete_run((select run_id from the_run))),
  'completed 2 1',
  'the run completes once the last chunk is final'
);

select * from finish();
rollback;

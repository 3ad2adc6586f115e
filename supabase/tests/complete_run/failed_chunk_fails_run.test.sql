-- A failed chunk fails its run; a run that cannot be chunked is failed directly.
begin;
select plan(8);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a"]}');
  perform vector_sync.add_chunk(r, 1, '{"ids": ["doc-b"]}');
  perform vector_sync.mark_run_chunked(r, 2);
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-cmd0', 't-inv0', 'i-inst0');
  perform vector_sync.mark_chunk_dispatched(r, 1, 'c-cmd1', 't-inv1', 'i-inst0');
  perform vector_sync.finish_chunk(r, 0, true, '{"upserted": 1}', null);
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is(
  (vector_sync.finish_chunk((select run_id from the_run), 1, false, '{"failed": 1}', 'worker exited with 3')).state,
  'failed',
  'a chunk can finish as failed'
);
create temporary table ended as select * from vector_sync.complete_run((select run_id from the_run));
select is((select state from ended), 'failed', 'a run with a failed chunk ends failed');
select is((select array[upserted, failed] from ended), array[1, 1]::bigint[], 'a failed run still sums its counts');
select matches((select error from ended), '^1 of 2 chunk\(s\) failed; first chunk 1: worker exited with 3$', 'the run error names the failed chunk');
select ok((select failed_at is not null and completed_at is null from ended), 'failed_at is set, completed_at is not');

do $$ begin perform vector_sync.open_run('evt-2', 'verify', 'docsV1'); end $$;
select is(
  (vector_sync.fail_run((select run_id from vector_sync.runs where source_event_id = 'evt-2'), 'bucket not found')).state,
  'failed',
  'an accepted run can be failed directly'
);
select is(
  (vector_sync.fail_run((select run_id from vector_sync.runs where source_event_id = 'evt-2'), 'again')).error,
  'bucket not found',
  'failing it again keeps the first error'
);
do $$
declare
  r uuid;
begin
  r := (vector_sync.open_run('evt-3', 'sync', 'docsV1', array['doc-c'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-c"]}');
  perform vector_sync.mark_run_chunked(r, 1);
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-cmd3', 't-inv3', 'i-inst0');
end
$$;
select throws_ok(
  $$select vector_sync.fail_run((select run_id from vector_sync.runs where source_event_id = 'evt-3'), 'late')$$,
  '55000', null, 'a dispatched run cannot be failed directly: it ends through complete_run'
);

select * from finish();
rollback;

-- run_history shows one row per run, newest first, with counts, durations and the report.
begin;
select plan(6);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-old', 'sync', 'docsV1', array['doc-a', 'doc-b'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a", "doc-b"]}');
  perform vector_sync.mark_run_chunked(r, 1);
  perform vector_sync.mark_chunk_dispatched(r, 0, 'c-cmd0', 't-inv0', 'i-inst0');
  perform vector_sync.finish_chunk(r, 0, true, '{"upserted": 2}', null);
  perform vector_sync.complete_run(r);
  perform vector_sync.mark_report_sent(r, 'msg-1');
  perform vector_sync.open_run('evt-new', 'verify', 'docsV1');
end
$$;
-- now() is fixed inside the transaction: spread the runs over time by hand.
update vector_sync.runs
set accepted_at = now() - interval '10 minutes', dispatched_at = now() - interval '9 minutes', completed_at = now() - interval '7 minutes'
where source_event_id = 'evt-old';

select is((select count(*)::int from vector_sync.run_history), 2, 'one row per run');
select is(
  (select array_agg(source_event_id) from vector_sync.run_history),
  array['evt-new', 'evt-old'],
  'newest run first'
);
select is(
  (select op || ' ' || logical_name || ' ' || state || ' ' || upserted || ' ' || chunks_succeeded from vector_sync.run_history where source_event_id = 'evt-old'),
  'sync docs completed 2 1',
  'a row shows op, logical index, state and counts'
);
select is(
  (select duration_seconds::int from vector_sync.run_history where source_event_id = 'evt-old'),
  180,
  'duration runs from accepted to the end'
);
select is(
  (select report_sent from vector_sync.run_history where source_event_id = 'evt-old'),
  true,
  'a sent report shows'
);
select ok(
  (select duration_seconds is null and not report_sent from vector_sync.run_history where source_event_id = 'evt-new'),
  'an open run has no duration and no report'
);

select * from finish();
rollback;

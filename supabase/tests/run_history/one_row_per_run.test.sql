-- run_history shows one row per run, newest first, with counts, durations and the report.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-old', 'sync', array['doc-a', 'doc-b'], 2);
select vector_sync_tests.dispatch_chunk('evt-old', 0);
select vector_sync_tests.succeed_chunk('evt-old', 0, '{"upserted": 2}');
select vector_sync.complete_run(vector_sync_tests.run_id('evt-old'));
select vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-old'), 'msg-1');
select vector_sync_tests.open_run('evt-new', 'verify');
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

-- A change-driven run held for a digest joins the pending digest of the window it finished in, or
-- the window open now when that digest has already gone out.
begin;
select plan(8);

-- An hour window of yesterday: it has ended.
create temporary table w as select date_trunc('hour', now() - interval '1 day') as t0;
select vector_sync_tests.register_index();
select vector_sync_tests.finished_change_run('evt-1', (select t0 + interval '5 minutes' from w));
select vector_sync_tests.finished_change_run('evt-2', (select t0 + interval '55 minutes' from w));
select vector_sync_tests.finished_change_run('evt-3', (select t0 + interval '59 minutes 59 seconds' from w));

select is(
  vector_sync.settle_run_report(vector_sync_tests.run_id('evt-1'), 'digest', 'reports/1.html', null, 60),
  row(true, 'digest', (select t0 from w))::vector_sync.report_settlement,
  'the run is held for the window it finished in'
);
select is(
  (select row(state, window_end)::text from vector_sync.digests where logical_name = 'docs' and window_start = (select t0 from w)),
  row('pending', (select t0 + interval '1 hour' from w))::text,
  'its digest is pending, for the hour'
);
select is(
  (vector_sync.settle_run_report(vector_sync_tests.run_id('evt-2'), 'digest', 'reports/2.html', null, 60)).window_start,
  (select t0 from w), 'a second run of the window joins the same digest'
);
select is((select count(*)::int from vector_sync.digests), 1, 'one digest per index and window');
select is(
  (vector_sync.settle_run_report(vector_sync_tests.run_id('evt-1'), 'digest', 'reports/1.html', null, 60)).settled,
  false, 'holding a run twice settles nothing'
);

-- The window's digest went out before the third run's report was settled.
select count(*) from vector_sync.claim_digest('docs', (select t0 from w), interval '5 minutes', 3);
select vector_sync.mark_digest_sent('docs', (select t0 from w), 'msg-d', 'reports/digests/d.html');
create temporary table late as
select * from vector_sync.settle_run_report(vector_sync_tests.run_id('evt-3'), 'digest', 'reports/3.html', null, 60);
select is(
  (select window_start from late),
  (select window_start from vector_sync.digests where state = 'pending'),
  'a run whose window has gone out is held for another window'
);
select ok(
  (select window_end > now() from vector_sync.digests where state = 'pending'),
  'a window that is still open'
);
select is(
  (select count(*)::int from vector_sync.runs where digest_window_start = (select t0 from w)),
  2, 'the sent digest kept the two runs it was sent with'
);

select * from finish();
rollback;

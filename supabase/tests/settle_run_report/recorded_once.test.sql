-- What happened to a run's report is recorded once; a redelivery finds the first disposition.
begin;
select plan(12);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-manual', 'rebuild');
select vector_sync.complete_run(vector_sync_tests.run_id('evt-manual'));
select vector_sync_tests.finished_change_run('evt-change');
select vector_sync_tests.open_run('evt-open', 'verify');

select is(
  vector_sync.settle_run_report(vector_sync_tests.run_id('evt-manual'), 'sent', 'reports/2026/12/a.html', 'msg-1'),
  row(true, 'sent', null::timestamptz)::vector_sync.report_settlement,
  'the first call records a sent report'
);
select is(
  vector_sync.settle_run_report(vector_sync_tests.run_id('evt-manual'), 'archived-only', 'reports/2026/12/a.html'),
  row(false, 'sent', null::timestamptz)::vector_sync.report_settlement,
  'a second call does not move it and answers the first disposition'
);
select is(
  (select row(report_sent_at is not null, report_message_id, report_archive_key, report_settled_at is not null)::text
   from vector_sync.runs where run_id = vector_sync_tests.run_id('evt-manual')),
  row(true, 'msg-1', 'reports/2026/12/a.html', true)::text,
  'a sent report keeps its message id, archive key and times'
);
select is(
  (select report_sent from vector_sync.run_history where source_event_id = 'evt-manual'),
  true, 'run_history shows it sent'
);
select is(
  (vector_sync.settle_run_report(vector_sync_tests.run_id('evt-change'), 'archived-only', 'reports/2026/12/b.html')).disposition,
  'archived-only', 'a report can be archived only'
);
select is(
  (select report_sent_at from vector_sync.runs where run_id = vector_sync_tests.run_id('evt-change')),
  null, 'an archived-only report was not sent'
);
select is(
  vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-change'), 'msg-late'),
  false, 'mark_report_sent does not override a settled report'
);
select throws_ok(
  $$select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-open'), 'sent', 'reports/x.html', 'msg-x')$$,
  '55000', null, 'a run that has not ended has no report to settle'
);
select throws_ok(
  $$select vector_sync.settle_run_report('00000000-0000-0000-0000-000000000000', 'sent', 'reports/x.html', 'msg-x')$$,
  'P0002', null, 'an unknown run raises no_data_found'
);
select throws_ok(
  $$select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-open'), 'mailed', 'reports/x.html')$$,
  '22023', null, 'an unknown disposition is refused'
);
select throws_ok(
  $$select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-open'), 'sent', 'reports/x.html')$$,
  '22023', null, 'a sent report needs its message id'
);
select vector_sync_tests.chunked_run('evt-verify', 'verify');
select vector_sync.complete_run(vector_sync_tests.run_id('evt-verify'));
select throws_ok(
  $$select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-verify'), 'digest', 'reports/x.html', null, 60)$$,
  '22023', null, 'a manual run is never held for a digest'
);

select * from finish();
rollback;

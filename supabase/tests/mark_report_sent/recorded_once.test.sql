-- The report of a run is recorded as sent once.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'rebuild');
select vector_sync_tests.open_run('evt-2', 'verify');

select throws_ok(
  $$select vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-1'), 'msg-early')$$,
  '55000', null, 'no report is recorded for a run that has not ended'
);
select vector_sync.complete_run(vector_sync_tests.run_id('evt-1'));
select is(vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-1'), 'msg-1'), true, 'the first call records the report');
select is(vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-1'), 'msg-2'), false, 'a second call does not move it');
select is(
  (select report_message_id from vector_sync.runs where run_id = vector_sync_tests.run_id('evt-1')),
  'msg-1',
  'the first message id stands'
);
select throws_ok(
  $$select vector_sync.mark_report_sent('00000000-0000-0000-0000-000000000000', 'msg-x')$$,
  'P0002', null, 'an unknown run raises no_data_found'
);
select throws_ok(
  $$select vector_sync.mark_report_sent(vector_sync_tests.run_id('evt-2'), 'msg-3')$$,
  '55000', null, 'an accepted run cannot have its report sent'
);

select * from finish();
rollback;

-- A digest sent again by hand counts as sent once its window has ended (one still open stays
-- pending for the timer), and each send by hand is counted.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync_tests.finished_change_run('evt-1');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-1'), 'digest', 'reports/1.html', null, 60);
select vector_sync_tests.age_digests();
create temporary table held as select logical_name, window_start from vector_sync.digests;

select is(
  (select row(state, resends, message_id)::text from vector_sync.record_digest_resend('docs', (select window_start from held), 'msg-hand-1', 'reports/d.html')),
  row('sent', 1, 'msg-hand-1')::text,
  'a pending digest sent by hand counts as sent'
);
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 0, 'so the timer does not send it again');
select is(
  (select row(state, resends, message_id)::text from vector_sync.record_digest_resend('docs', (select window_start from held), 'msg-hand-2', 'reports/d.html')),
  row('sent', 2, 'msg-hand-2')::text,
  'a second send by hand is counted and names its message'
);
select throws_ok(
  $$select vector_sync.record_digest_resend('docs', '2001-01-01 00:00:00+00', 'msg-x', 'reports/x.html')$$,
  'P0002', null, 'a window without a digest raises no_data_found'
);

-- A window still open: sent as it stands, it stays pending so the timer sends it at its end.
select vector_sync_tests.finished_change_run('evt-2');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-2'), 'digest', 'reports/2.html', null, 60);
create temporary table open_window as
select window_start from vector_sync.digests where window_end > now();
select is(
  (select row(state, resends, message_id)::text from vector_sync.record_digest_resend('docs', (select window_start from open_window), 'msg-hand-3', 'reports/e.html')),
  row('pending', 1, null)::text,
  'a digest of a window still open sent by hand stays pending'
);
select is(
  (select count(*)::int from vector_sync.digests where window_end > now() and state = 'pending'),
  1, 'and the timer will still send it once the window ends'
);

select * from finish();
rollback;

-- A digest is due only once its window has ended, goes to one sender, and is sent once.
begin;
select plan(10);

select vector_sync_tests.register_index();
select vector_sync_tests.finished_change_run('evt-1');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-1'), 'digest', 'reports/1.html', null, 60);
create temporary table held as
select logical_name, window_start from vector_sync.digests;

select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 0, 'a digest whose window is open is not due');
select is(
  (select count(*)::int from vector_sync.claim_digest('docs', (select window_start from held), interval '5 minutes', 3)),
  0, 'nor can it be claimed'
);

select vector_sync_tests.age_digests();
update held set window_start = window_start - interval '1 day';
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 1, 'once the window has ended the digest is due');

create temporary table first_claim as
select * from vector_sync.claim_digest('docs', (select window_start from held), interval '5 minutes', 3);
select is((select row(state, attempts)::text from first_claim), row('sending', 1)::text, 'the first claim gets it and counts the attempt');
select is(
  (select count(*)::int from vector_sync.claim_digest('docs', (select window_start from held), interval '5 minutes', 3)),
  0, 'a second claim gets nothing while the first sender holds it'
);
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 0, 'a digest being sent is not due');

select is(
  (select state from vector_sync.mark_digest_sent('docs', (select window_start from held), 'msg-1', 'reports/digests/a.html')),
  'sent', 'the send is recorded'
);
select is(
  (select message_id from vector_sync.mark_digest_sent('docs', (select window_start from held), 'msg-2', 'reports/digests/a.html')),
  'msg-1', 'a second record changes nothing'
);
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 0, 'a sent digest is never due again');
select throws_ok(
  $$select vector_sync.mark_digest_sent('docs', '2001-01-01 00:00:00+00', 'msg-x', 'reports/x.html')$$,
  'P0002', null, 'a digest that does not exist raises no_data_found'
);

select * from finish();
rollback;

-- A failed send is retried on a later tick and parked with its reason after the last attempt; a
-- sender that died mid-send loses its claim after the grace period.
begin;
select plan(9);

select vector_sync_tests.register_index();
select vector_sync_tests.finished_change_run('evt-1');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-1'), 'digest', 'reports/1.html', null, 60);
select vector_sync_tests.age_digests();
create temporary table held as select logical_name, window_start from vector_sync.digests;

select count(*) from vector_sync.claim_digest('docs', (select window_start from held), interval '5 minutes', 2);
select is(
  (select row(state, attempts, last_error)::text from vector_sync.fail_digest('docs', (select window_start from held), 'Resend answered 503', 2)),
  row('pending', 1, 'Resend answered 503')::text,
  'a failed send goes back to pending with its error'
);
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 1, 'and is due again on the next tick');

select count(*) from vector_sync.claim_digest('docs', (select window_start from held), interval '5 minutes', 2);
select is(
  (select row(state, attempts, parked_at is not null)::text from vector_sync.fail_digest('docs', (select window_start from held), 'Resend answered 503 again', 2)),
  row('parked', 2, true)::text,
  'the last attempt parks it'
);
select is((select count(*)::int from vector_sync.due_digests(interval '5 minutes')), 0, 'a parked digest is not due');
select is(
  (select state from vector_sync.fail_digest('docs', (select window_start from held), 'late', 2)),
  'parked', 'a failure of a digest no longer being sent changes nothing'
);

-- A sender that died: the claim stays in sending until the grace has passed.
select vector_sync_tests.finished_change_run('evt-2');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-2'), 'digest', 'reports/2.html', null, 60);
select vector_sync_tests.age_digests(interval '2 days');
create temporary table second as
select logical_name, window_start from vector_sync.digests where state = 'pending';
select count(*) from vector_sync.claim_digest('docs', (select window_start from second), interval '5 minutes', 2);
update vector_sync.digests set claimed_at = now() - interval '10 minutes' where window_start = (select window_start from second);
select is(
  (select row(state, attempts)::text from vector_sync.claim_digest('docs', (select window_start from second), interval '5 minutes', 2)),
  row('sending', 2)::text, 'a claim left by a dead sender is taken over after the grace'
);
update vector_sync.digests set claimed_at = now() - interval '10 minutes' where window_start = (select window_start from second);
select is(
  (select count(*)::int from vector_sync.claim_digest('docs', (select window_start from second), interval '5 minutes', 2)),
  0, 'not after its last attempt'
);
select is(
  (select row(state, last_error)::text from vector_sync.digests where window_start = (select window_start from second)),
  row('parked', 'the sender stopped before recording its send')::text,
  'it is parked with the reason instead'
);

-- A permanent failure parks at once.
select vector_sync_tests.finished_change_run('evt-3');
select vector_sync.settle_run_report(vector_sync_tests.run_id('evt-3'), 'digest', 'reports/3.html', null, 60);
select vector_sync_tests.age_digests(interval '4 days');
select count(*) from vector_sync.claim_digest('docs', (select window_start from vector_sync.digests where state = 'pending'), interval '5 minutes', 5);
select is(
  (select state from vector_sync.fail_digest('docs', (select window_start from vector_sync.digests where state = 'sending'), 'invalid_from_address', 5, true)),
  'parked', 'a permanent failure parks the digest at its first attempt'
);

select * from finish();
rollback;

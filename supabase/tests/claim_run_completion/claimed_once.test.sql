-- A run's completion is claimed once; a released or stale claim can be taken again.
begin;
select plan(9);

select vector_sync_tests.register_index();
select vector_sync_tests.chunked_run('evt-1', 'rebuild');

select is(vector_sync.claim_run_completion(vector_sync_tests.run_id('evt-1')), false, 'an open run cannot be claimed');
select vector_sync.complete_run(vector_sync_tests.run_id('evt-1'));
select is(
  (select count(*)::int from vector_sync.unpublished_completions('5 minutes')), 1,
  'a final run without a published completion is listed'
);
select is(vector_sync.claim_run_completion(vector_sync_tests.run_id('evt-1')), true, 'the first claim wins');
select is(vector_sync.claim_run_completion(vector_sync_tests.run_id('evt-1')), false, 'a second claim loses');
select is(
  (select count(*)::int from vector_sync.unpublished_completions('5 minutes')), 0,
  'a fresh claim is not listed'
);
select is(
  vector_sync.reclaim_run_completion(vector_sync_tests.run_id('evt-1'), '0 seconds'), true,
  'a claim older than the grace period is taken over'
);
select vector_sync.release_run_completion(vector_sync_tests.run_id('evt-1'));
select is(vector_sync.claim_run_completion(vector_sync_tests.run_id('evt-1')), true, 'a released claim can be claimed again');
select vector_sync.confirm_run_completion(vector_sync_tests.run_id('evt-1'));
select is(
  vector_sync.reclaim_run_completion(vector_sync_tests.run_id('evt-1'), '0 seconds'), false,
  'a confirmed completion is never claimed again'
);
select throws_ok(
  $$select vector_sync.claim_run_completion('00000000-0000-0000-0000-000000000000')$$,
  'P0002', null, 'an unknown run raises no_data_found'
);

select * from finish();
rollback;

-- A run's completion is claimed once; a released or stale claim can be taken again.
begin;
select plan(9);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'rebuild', 'docsV1')).run_id;
  perform vector_sync.mark_run_chunked(r, 0);
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is(vector_sync.claim_run_completion((select run_id from the_run)), false, 'an open run cannot be claimed');
do $$ begin perform vector_sync.complete_run((select run_id from the_run)); end $$;
select is(
  (select count(*)::int from vector_sync.unpublished_completions('5 minutes')), 1,
  'a final run without a published completion is listed'
);
select is(vector_sync.claim_run_completion((select run_id from the_run)), true, 'the first claim wins');
select is(vector_sync.claim_run_completion((select run_id from the_run)), false, 'a second claim loses');
select is(
  (select count(*)::int from vector_sync.unpublished_completions('5 minutes')), 0,
  'a fresh claim is not listed'
);
select is(
  vector_sync.reclaim_run_completion((select run_id from the_run), '0 seconds'), true,
  'a claim older than the grace period is taken over'
);
do $$ begin perform vector_sync.release_run_completion((select run_id from the_run)); end $$;
select is(vector_sync.claim_run_completion((select run_id from the_run)), true, 'a released claim can be claimed again');
do $$ begin perform vector_sync.confirm_run_completion((select run_id from the_run)); end $$;
select is(
  vector_sync.reclaim_run_completion((select run_id from the_run), '0 seconds'), false,
  'a confirmed completion is never claimed again'
);
select throws_ok(
  $$select vector_sync.claim_run_completion('00000000-0000-0000-0000-000000000000')$$,
  'P0002', null, 'an unknown run raises no_data_found'
);

select * from finish();
rollback;

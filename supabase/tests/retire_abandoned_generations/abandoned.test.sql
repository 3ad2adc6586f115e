-- retire_abandoned_generations moves to retired only the generations left building with no
-- rebuild open on them past the grace: not the active one, not one an open rebuild builds, not a
-- fresh one whose run may be opening now.
begin;
select plan(6);

select vector_sync_tests.register_index();
select vector_sync.activate_index('docsV1');
-- A rebuild that failed a while ago left its generation building.
select vector_sync.register_index('docsV2', 'docs', 'vector-bucket', 384, 'cosine');
select vector_sync.open_run('evt-failed', 'rebuild', 'docsV2');
select vector_sync.fail_run(vector_sync_tests.run_id('evt-failed'), 'a chunk failed for good');
update vector_sync.runs set failed_at = now() - interval '10 minutes' where source_event_id = 'evt-failed';
-- A rebuild still running.
select vector_sync.register_index('docsV3', 'docs', 'vector-bucket', 384, 'cosine');
select vector_sync.open_run('evt-open', 'rebuild', 'docsV3');
-- A generation registered without any run (a refused request of the old code).
select vector_sync.register_index('docsV4', 'docs', 'vector-bucket', 384, 'cosine');
update vector_sync.indexes set created_at = now() - interval '10 minutes' where index_name in ('docsV2', 'docsV3', 'docsV4');
-- One registered just now: its run may be opening.
select vector_sync.register_index('docsV5', 'docs', 'vector-bucket', 384, 'cosine');

select set_eq(
  $$ select index_name from vector_sync.retire_abandoned_generations(interval '2 minutes') $$,
  array['docsV2', 'docsV4'],
  'the generations of a failed rebuild and of no run are retired'
);
select set_eq(
  $$ select index_name from vector_sync.indexes where state = 'retired' $$,
  array['docsV2', 'docsV4'],
  'and only those'
);
select is((select state from vector_sync.indexes where index_name = 'docsV3'), 'building', 'a generation an open rebuild builds stays building');
select is((select state from vector_sync.indexes where index_name = 'docsV1'), 'active', 'the active generation stays active');
select is((select state from vector_sync.indexes where index_name = 'docsV5'), 'building', 'a generation within the grace stays building');
select is((select count(*)::int from vector_sync.retire_abandoned_generations(interval '2 minutes')), 0, 'a second call finds nothing');

select * from finish();
rollback;

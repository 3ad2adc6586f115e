-- vector_sync.schedules is the one list of periodic jobs, and the pg_cron migration is a no-op
-- where pg_cron is missing.
begin;
select plan(4);

select results_eq(
  $$select name, schedule, function_name, command from vector_sync.schedules order by name$$,
  $$values
    ('drift-scan'::text, '*/15 * * * *'::text, null::text, 'select vector_sync.enqueue_drift()'::text),
    ('embed-documents', '10 seconds', 'embed-documents', null),
    ('publish-changes', '10 seconds', 'publish-changes', null)$$,
  'three jobs: embed and publish every 10 seconds, the drift scan every 15 minutes'
);
select throws_ok(
  $$insert into vector_sync.schedules (name, schedule, function_name, command) values ('both', '10 seconds', 'embed-documents', 'select 1')$$,
  '23514',
  null,
  'a job is a function or a command, not both'
);
select throws_ok(
  $$insert into vector_sync.schedules (name, schedule) values ('neither', '10 seconds')$$,
  '23514',
  null,
  'a job is a function or a command, not neither'
);
select is(vector_sync.schedule_cron_jobs(), 0, 'without pg_cron nothing is scheduled and nothing fails');

select * from finish();
rollback;

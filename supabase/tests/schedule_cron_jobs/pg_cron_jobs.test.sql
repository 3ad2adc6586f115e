-- schedule_cron_jobs turns vector_sync.schedules into pg_cron jobs whose commands read the Vault
-- secrets at run time. pg_cron, pg_net and Vault are stood in for by minimal fakes with their
-- signatures (PGlite has none of them), so the dynamic SQL is exercised end to end.
begin;
select plan(8);

create schema cron;
create table cron.job (jobid bigserial primary key, jobname text unique, schedule text not null, command text not null);
create function cron.schedule(job_name text, schedule text, command text) returns bigint
language sql as $$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid;
$$;
create function cron.unschedule(job_name text) returns boolean
language sql as $$ delete from cron.job where jobname = job_name returning true; $$;

create schema net;
create table net.requests (url text, body jsonb, headers jsonb, timeout_milliseconds integer);
create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql as $$
  insert into net.requests values (url, body, headers, timeout_milliseconds);
  select 1::bigint;
$$;

create schema vault;
create table vault.decrypted_secrets (name text primary key, decrypted_secret text);
insert into vault.decrypted_secrets values ('project_url', 'https://ref.supabase.co'), ('vector_sync_function_key', 'key-1');

-- A job of a row since removed, and somebody else's job.
select cron.schedule('vector_sync.retired-job', '* * * * *', 'select 1');
select cron.schedule('someone-elses-job', '* * * * *', 'select 2');

select is(vector_sync.schedule_cron_jobs(), 3, 'one job per row of vector_sync.schedules');
select set_eq(
  $$select jobname, schedule from cron.job$$,
  $$values ('vector_sync.embed-documents', '10 seconds'), ('vector_sync.publish-changes', '10 seconds'),
           ('vector_sync.drift-scan', '*/15 * * * *'), ('someone-elses-job', '* * * * *')$$,
  'the jobs carry the rows'' schedules, the removed row''s job is gone, other jobs are untouched'
);
select is(
  (select command from cron.job where jobname = 'vector_sync.drift-scan'),
  'select vector_sync.enqueue_drift()',
  'a command row runs its command'
);
select unalike(
  (select command from cron.job where jobname = 'vector_sync.embed-documents'),
  '%key-1%',
  'the function key is not copied into the job'
);

-- The secret is rotated after scheduling; the job reads it when it runs.
update vault.decrypted_secrets set decrypted_secret = 'key-2' where name = 'vector_sync_function_key';
do $$ begin execute (select command from cron.job where jobname = 'vector_sync.embed-documents'); end $$;
select results_eq(
  $$select url, body, headers, timeout_milliseconds from net.requests$$,
  $$values ('https://ref.supabase.co/functions/v1/embed-documents', '{}'::jsonb,
            '{"Authorization": "Bearer key-2", "Content-Type": "application/json"}'::jsonb, 60000)$$,
  'a function job POSTs {} to the function with the current key and a 60 s timeout'
);

select is(vector_sync.schedule_cron_jobs(), 3, 'scheduling again is harmless');
select is((select count(*)::int from cron.job where jobname like 'vector\_sync.%'), 3, 'and leaves one job per row');

delete from vector_sync.schedules where name = 'drift-scan';
select vector_sync.schedule_cron_jobs();
select ok(
  not exists (select 1 from cron.job where jobname = 'vector_sync.drift-scan'),
  'a row deleted from vector_sync.schedules is unscheduled on the next call'
);

select * from finish();
rollback;

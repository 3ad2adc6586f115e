-- schedule sync jobs with pg_cron
--
-- On Supabase, pg_cron runs every row of vector_sync.schedules: function rows POST {} to the edge
-- function through pg_net, command rows run their SQL. Where pg_cron or pg_net is missing (PGlite,
-- plain Postgres) nothing is scheduled here and local/supabase/startScheduler.ts reads the same
-- table. Everything touching cron, net or vault is dynamic SQL, so this file applies without them.
--
-- The function key and project URL are read from Vault inside each scheduled command, at run
-- time: rotating the `vector_sync_function_key` secret needs no new migration. Set them once with
--   select vault.create_secret('https://<ref>.supabase.co', 'project_url');
--   select vault.create_secret('<VECTOR_SYNC_FUNCTION_KEY>', 'vector_sync_function_key');

do $$
begin
  if (select pg_catalog.count(*) from pg_catalog.pg_available_extensions where name in ('pg_cron', 'pg_net')) < 2 then
    raise notice 'pg_cron or pg_net is not available: vector_sync.schedules is left to the local scheduler';
    return;
  end if;
  -- Where Supabase's docs install them.
  execute 'create extension if not exists pg_cron with schema pg_catalog';
  execute 'create extension if not exists pg_net with schema extensions';
end
$$;

-- Makes pg_cron's jobs match vector_sync.schedules: schedules every row (cron.schedule replaces a
-- job of the same name) and unschedules jobs of rows since removed. Run it again after editing the
-- table. Returns how many jobs are scheduled; 0 without pg_cron.
create function vector_sync.schedule_cron_jobs()
returns integer
language plpgsql
set search_path = ''
as $fn$
declare
  job record;
  job_command text;
  scheduled integer := 0;
begin
  if pg_catalog.to_regnamespace('cron') is null or pg_catalog.to_regnamespace('net') is null then
    raise notice 'pg_cron or pg_net is not installed: no job scheduled';
    return 0;
  end if;
  if pg_catalog.to_regclass('vault.decrypted_secrets') is null then
    raise warning 'Vault is not installed: the function jobs will fail until project_url and vector_sync_function_key exist';
  else
    execute $sql$
      select pg_catalog.count(*) from vault.decrypted_secrets
      where name in ('project_url', 'vector_sync_function_key')
    $sql$ into scheduled;
    if scheduled < 2 then
      raise warning 'Vault lacks project_url or vector_sync_function_key: the function jobs will fail until both exist';
    end if;
    scheduled := 0;
  end if;

  for job in select s.name, s.schedule, s.function_name, s.command from vector_sync.schedules as s order by s.name loop
    if job.function_name is not null then
      job_command := pg_catalog.format(
        $cmd$select net.http_post(
  url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || %L,
  headers := pg_catalog.jsonb_build_object(
    'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'vector_sync_function_key'),
    'Content-Type', 'application/json'
  ),
  body := '{}'::jsonb,
  timeout_milliseconds := 60000
)$cmd$,
        '/functions/v1/' || job.function_name
      );
    else
      job_command := job.command;
    end if;
    execute 'select cron.schedule($1, $2, $3)' using 'vector_sync.' || job.name, job.schedule, job_command;
    scheduled := scheduled + 1;
  end loop;

  execute $sql$
    select cron.unschedule(j.jobname)
    from cron.job as j
    where j.jobname like 'vector\_sync.%'
      and not exists (select 1 from vector_sync.schedules as s where 'vector_sync.' || s.name = j.jobname)
  $sql$;
  return scheduled;
end
$fn$;
comment on function vector_sync.schedule_cron_jobs() is
  'Schedules vector_sync.schedules with pg_cron (jobs named vector_sync.<name>); a no-op without pg_cron/pg_net.';
revoke execute on function vector_sync.schedule_cron_jobs() from public, anon, authenticated;

select vector_sync.schedule_cron_jobs();

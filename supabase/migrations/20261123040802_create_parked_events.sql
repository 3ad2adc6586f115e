-- create parked events
--
-- Two things the FC handlers need beyond the run and chunk moves:
-- 1. `parked_events`: an event a handler refused for good (bad input, a move the ledger refuses)
--    lands here with its reason, so nothing is dropped silently; the run's report lists the ones
--    that name the run.
-- 2. Publishing `vectorsync.run.completed` exactly once: collect-stats claims the completion
--    before it publishes and confirms after; a claim left unconfirmed (the handler died in between)
--    is found again by reconcile.

create table vector_sync.parked_events (
  id bigserial primary key,
  function_name text not null
    constraint parked_events_function_name_length check (char_length(function_name) between 1 and 128),
  event_id text,
  event_type text,
  run_id uuid,
  code text not null
    constraint parked_events_code_length check (char_length(code) between 1 and 128),
  reason text not null
    constraint parked_events_reason_length check (char_length(reason) between 1 and 4000),
  event jsonb,
  parked_at timestamptz not null default now()
);
comment on table vector_sync.parked_events is
  'Events an FC handler refused for good, with the reason; the report of the named run lists them.';
create index parked_events_run_id on vector_sync.parked_events (run_id) where run_id is not null;
create index parked_events_parked_at on vector_sync.parked_events (parked_at desc);
-- One row per function and event: a redelivered bad event does not pile up.
create unique index parked_events_function_event on vector_sync.parked_events (function_name, event_id)
  where event_id is not null;

create function vector_sync.park_event(
  p_function_name text,
  p_event_id text,
  p_event_type text,
  p_run_id uuid,
  p_code text,
  p_reason text,
  p_event jsonb
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_id bigint;
begin
  insert into vector_sync.parked_events (function_name, event_id, event_type, run_id, code, reason, event)
  values (
    p_function_name, p_event_id, p_event_type,
    -- A run id is kept only when it names a run: a bad event may carry anything.
    (select r.run_id from vector_sync.runs as r where r.run_id = p_run_id),
    p_code, pg_catalog.left(p_reason, 4000), p_event
  )
  on conflict (function_name, event_id) where event_id is not null do nothing
  returning id into v_id;
  if v_id is null then
    select p.id into v_id from vector_sync.parked_events as p
    where p.function_name = p_function_name and p.event_id = p_event_id;
  end if;
  return v_id;
end
$$;

alter table vector_sync.runs
  add column completion_claimed_at timestamptz,
  add column completion_published_at timestamptz;

create function vector_sync.claim_run_completion(p_run_id uuid)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  run_state text;
begin
  update vector_sync.runs
  set completion_claimed_at = now()
  where run_id = p_run_id and state in ('completed', 'failed') and completion_claimed_at is null;
  if found then
    return true;
  end if;
  select r.state into run_state from vector_sync.runs as r where r.run_id = p_run_id;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  return false;
end
$$;

create function vector_sync.confirm_run_completion(p_run_id uuid)
returns void
language sql
set search_path = ''
as $$
  update vector_sync.runs
  set completion_published_at = coalesce(completion_published_at, now())
  where run_id = p_run_id and completion_claimed_at is not null;
$$;

-- After a failed publish: the claim goes back so that a retry (or reconcile) can publish.
create function vector_sync.release_run_completion(p_run_id uuid)
returns void
language sql
set search_path = ''
as $$
  update vector_sync.runs
  set completion_claimed_at = null
  where run_id = p_run_id and completion_published_at is null;
$$;

-- Final runs whose completion was never published, or claimed and not confirmed for a while.
create function vector_sync.unpublished_completions(p_claim_older_than interval, p_limit integer default 100)
returns setof vector_sync.runs
language sql
stable
set search_path = ''
as $$
  select r.*
  from vector_sync.runs as r
  where r.state in ('completed', 'failed')
    and r.completion_published_at is null
    and (r.completion_claimed_at is null or r.completion_claimed_at <= now() - p_claim_older_than)
  order by coalesce(r.completed_at, r.failed_at)
  limit p_limit;
$$;

-- A claim left by a dead handler is taken over after the grace period.
create function vector_sync.reclaim_run_completion(p_run_id uuid, p_claim_older_than interval)
returns boolean
language sql
set search_path = ''
as $$
  with moved as (
    update vector_sync.runs
    set completion_claimed_at = now()
    where run_id = p_run_id
      and state in ('completed', 'failed')
      and completion_published_at is null
      and (completion_claimed_at is null or completion_claimed_at <= now() - p_claim_older_than)
    returning 1
  )
  select exists (select 1 from moved);
$$;

alter table vector_sync.parked_events enable row level security;
revoke all on table vector_sync.parked_events from public, anon, authenticated;
revoke all on sequence vector_sync.parked_events_id_seq from public, anon, authenticated;
revoke execute on function
  vector_sync.park_event(text, text, text, uuid, text, text, jsonb),
  vector_sync.claim_run_completion(uuid),
  vector_sync.confirm_run_completion(uuid),
  vector_sync.release_run_completion(uuid),
  vector_sync.unpublished_completions(interval, integer),
  vector_sync.reclaim_run_completion(uuid, interval)
from public, anon, authenticated;

-- create report dispositions and digests
--
-- Report policy (docs/architecture.md, "Reports and digests"). notify builds and archives every
-- finished run's report once; what happened to it next is recorded on the run, once:
--   sent           e-mailed at once (failed runs always; manual runs unless REPORT_POLICY is
--                  failures-only; every run under every-run)
--   digest         held for the digest of its logical index and window (change-driven syncs under
--                  REPORT_POLICY=digest)
--   archived-only  archived in OSS and shown on the dashboard, e-mailed neither at once nor in a
--                  digest (completed runs under failures-only)
-- A redelivered run.completed finds the disposition and does nothing twice.
--
-- A digest is one e-mail per logical index and window. Windows are REPORT_DIGEST_MINUTES long and
-- aligned to the epoch. `digests` has one row per (logical_name, window_start), made when the first
-- run is held for it: pending -> sending (claimed by one sender once the window has ended) -> sent;
-- back to pending after a failed send; parked with its reason after the last attempt.
--
-- Nothing is lost or doubled: holding a run locks its digest row while it checks that the row is
-- still pending, and claiming a digest moves the row out of pending under the same row lock, so a
-- sender reads the runs of a window only after every hold into it has committed. A run that
-- finishes in a window whose digest has already gone out is held into the window open now.

alter table vector_sync.runs
  add column report_disposition text
    constraint runs_report_disposition_known check (report_disposition in ('sent', 'digest', 'archived-only')),
  add column report_archive_key text
    constraint runs_report_archive_key_length check (char_length(report_archive_key) between 1 and 1024),
  add column report_settled_at timestamptz,
  add column digest_window_start timestamptz;
comment on column vector_sync.runs.report_disposition is
  'What happened to the run''s report: sent (e-mailed at once), digest (held for a digest), archived-only; null until notify settles it.';
comment on column vector_sync.runs.report_archive_key is 'The OSS key of the archived HTML report.';
comment on column vector_sync.runs.digest_window_start is 'The digest window the run''s report is held for (disposition digest only).';

-- Reports sent before dispositions existed were sent at once.
update vector_sync.runs
set report_disposition = 'sent', report_settled_at = report_sent_at
where report_sent_at is not null;

alter table vector_sync.runs
  add constraint runs_report_settled_with_disposition check ((report_disposition is null) = (report_settled_at is null)),
  add constraint runs_report_sent_is_recorded check (report_disposition is distinct from 'sent' or report_sent_at is not null),
  add constraint runs_digest_has_window check ((report_disposition is distinct from 'digest') = (digest_window_start is null));

create index runs_digest_window on vector_sync.runs (digest_window_start) where digest_window_start is not null;

create table vector_sync.digests (
  logical_name text not null
    constraint digests_logical_name_format check (logical_name ~ '^[A-Za-z][A-Za-z0-9]{0,62}$'),
  window_start timestamptz not null,
  window_end timestamptz not null,
  state text not null default 'pending'
    constraint digests_state_known check (state in ('pending', 'sending', 'sent', 'parked')),
  attempts integer not null default 0
    constraint digests_attempts_range check (attempts >= 0),
  last_error text
    constraint digests_last_error_length check (char_length(last_error) <= 2000),
  claimed_at timestamptz,
  message_id text,
  archive_key text
    constraint digests_archive_key_length check (char_length(archive_key) between 1 and 1024),
  sent_at timestamptz,
  parked_at timestamptz,
  -- Sends by hand (vectorsync.digest.requested), each under its own idempotency key.
  resends integer not null default 0
    constraint digests_resends_range check (resends >= 0),
  last_resent_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (logical_name, window_start),
  constraint digests_window_order check (window_end > window_start),
  constraint digests_sent_is_recorded check (state <> 'sent' or (sent_at is not null and message_id is not null)),
  constraint digests_parked_has_reason check (state <> 'parked' or (parked_at is not null and last_error is not null))
);
comment on table vector_sync.digests is
  'One digest e-mail per logical index and window of REPORT_DIGEST_MINUTES, made when the first run is held for it.';

create index digests_open on vector_sync.digests (window_end) where state in ('pending', 'sending');

-- What settle_run_report answers: whether this call settled the report, and where it stands.
create type vector_sync.report_settlement as (settled boolean, disposition text, window_start timestamptz);

-- The start of the window of p_minutes (1..1440) that holds p_at; windows are aligned to the epoch.
create function vector_sync.digest_window_start(p_at timestamptz, p_minutes integer)
returns timestamptz
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_minutes is null or p_minutes < 1 or p_minutes > 1440 then
    raise exception 'a digest window is 1 to 1440 minutes long, not %', coalesce(p_minutes::text, 'null') using errcode = '22023';
  end if;
  if p_at is null then
    raise exception 'a digest window needs a time' using errcode = '22023';
  end if;
  return pg_catalog.to_timestamp(pg_catalog.floor(extract(epoch from p_at) / (p_minutes * 60)) * (p_minutes * 60));
end
$$;

create function vector_sync.settle_run_report(
  p_run_id uuid,
  p_disposition text,
  p_archive_key text,
  p_message_id text default null,
  p_digest_minutes integer default null
)
returns vector_sync.report_settlement
language plpgsql
set search_path = ''
as $$
declare
  v_run vector_sync.runs;
  v_logical_name text;
  v_window timestamptz;
  v_length interval;
  v_state text;
  v_tries integer := 0;
begin
  if p_disposition is null or p_disposition not in ('sent', 'digest', 'archived-only') then
    raise exception 'a report is sent, held for a digest or archived only, not %', coalesce(p_disposition, 'null') using errcode = '22023';
  end if;
  if p_archive_key is null or pg_catalog.btrim(p_archive_key) = '' then
    raise exception 'a settled report names its archive key' using errcode = '22023';
  end if;
  if p_disposition = 'sent' and (p_message_id is null or pg_catalog.btrim(p_message_id) = '') then
    raise exception 'a sent report names its message id' using errcode = '22023';
  end if;

  select * into v_run from vector_sync.runs where run_id = p_run_id for update;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  -- A redelivery, or a copy that lost the race: the first settlement stands.
  if v_run.report_disposition is not null then
    return row(false, v_run.report_disposition, v_run.digest_window_start)::vector_sync.report_settlement;
  end if;
  if v_run.state not in ('completed', 'failed') then
    raise exception 'run % is %; a report is settled only for a completed or failed run', p_run_id, v_run.state using errcode = '55000';
  end if;

  if p_disposition = 'sent' then
    update vector_sync.runs
    set report_disposition = 'sent', report_archive_key = p_archive_key, report_settled_at = pg_catalog.now(),
        report_sent_at = coalesce(report_sent_at, pg_catalog.now()), report_message_id = coalesce(report_message_id, p_message_id)
    where run_id = p_run_id;
    return row(true, 'sent', null)::vector_sync.report_settlement;
  end if;

  if p_disposition = 'archived-only' then
    update vector_sync.runs
    set report_disposition = 'archived-only', report_archive_key = p_archive_key, report_settled_at = pg_catalog.now()
    where run_id = p_run_id;
    return row(true, 'archived-only', null)::vector_sync.report_settlement;
  end if;

  -- Held for a digest: only change-driven runs are, in the window they finished in.
  if v_run.batch_id is null then
    raise exception 'run % was not opened from a change batch; only change-driven runs are held for a digest', p_run_id using errcode = '22023';
  end if;
  v_window := vector_sync.digest_window_start(coalesce(v_run.completed_at, v_run.failed_at), p_digest_minutes);
  v_length := pg_catalog.make_interval(mins => p_digest_minutes);
  select i.logical_name into v_logical_name from vector_sync.indexes as i where i.index_name = v_run.index_name;
  loop
    insert into vector_sync.digests (logical_name, window_start, window_end)
    values (v_logical_name, v_window, v_window + v_length)
    on conflict (logical_name, window_start) do nothing;
    -- The lock a claim waits for: the run is in the window before anyone reads the window.
    select d.state into v_state from vector_sync.digests as d
    where d.logical_name = v_logical_name and d.window_start = v_window
    for update;
    exit when v_state = 'pending';
    -- That window's digest is out or going out: the run goes into a window that is still open (a
    -- claimed window has ended, so the window of the clock is never claimed).
    v_tries := v_tries + 1;
    if v_tries > 100 then
      raise exception 'no open digest window found for run %', p_run_id using errcode = '55000';
    end if;
    v_window := greatest(vector_sync.digest_window_start(pg_catalog.clock_timestamp(), p_digest_minutes), v_window + v_length);
  end loop;
  update vector_sync.runs
  set report_disposition = 'digest', report_archive_key = p_archive_key, report_settled_at = pg_catalog.now(), digest_window_start = v_window
  where run_id = p_run_id;
  return row(true, 'digest', v_window)::vector_sync.report_settlement;
end
$$;
comment on function vector_sync.settle_run_report(uuid, text, text, text, integer) is
  'Records once what happened to a finished run''s report (sent, digest, archived-only); a run held for a digest joins its window''s pending digest.';

-- The runs sent before dispositions existed keep working through this: it records a sent report.
create or replace function vector_sync.mark_report_sent(p_run_id uuid, p_message_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  run_state text;
begin
  update vector_sync.runs
  set report_sent_at = pg_catalog.now(), report_message_id = p_message_id,
      report_disposition = 'sent', report_settled_at = pg_catalog.now()
  where run_id = p_run_id and report_sent_at is null and report_disposition is null and state in ('completed', 'failed');
  if found then
    return true;
  end if;

  select r.state into run_state from vector_sync.runs as r where r.run_id = p_run_id;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  if run_state not in ('completed', 'failed') then
    raise exception 'run % is %; a report is sent only for a completed or failed run', p_run_id, run_state
      using errcode = '55000';
  end if;
  return false;
end
$$;

-- Digests whose window has ended and that are not sent: pending ones, and ones whose sender has
-- held them in 'sending' for longer than p_sending_older_than (it died).
create function vector_sync.due_digests(p_sending_older_than interval, p_limit integer default 10)
returns setof vector_sync.digests
language sql
stable
set search_path = ''
as $$
  select d.*
  from vector_sync.digests as d
  where (d.state = 'pending' and d.window_end <= pg_catalog.now())
     or (d.state = 'sending' and d.claimed_at <= pg_catalog.now() - p_sending_older_than)
  order by d.window_start, d.logical_name
  limit p_limit;
$$;

create function vector_sync.claim_digest(
  p_logical_name text,
  p_window_start timestamptz,
  p_sending_older_than interval,
  p_max_attempts integer
)
returns setof vector_sync.digests
language plpgsql
set search_path = ''
as $$
begin
  if p_max_attempts is null or p_max_attempts < 1 then
    raise exception 'p_max_attempts must be at least 1' using errcode = '22023';
  end if;
  -- A sender that died mid-send used its attempt; after the last one the digest is parked.
  update vector_sync.digests as d
  set state = 'parked', parked_at = pg_catalog.now(),
      last_error = coalesce(d.last_error, 'the sender stopped before recording its send')
  where d.logical_name = p_logical_name and d.window_start = p_window_start
    and d.state = 'sending' and d.claimed_at <= pg_catalog.now() - p_sending_older_than
    and d.attempts >= p_max_attempts;
  return query
  update vector_sync.digests as d
  set state = 'sending', claimed_at = pg_catalog.now(), attempts = d.attempts + 1
  where d.logical_name = p_logical_name and d.window_start = p_window_start
    and ((d.state = 'pending' and d.window_end <= pg_catalog.now())
      or (d.state = 'sending' and d.claimed_at <= pg_catalog.now() - p_sending_older_than))
  returning d.*;
end
$$;
comment on function vector_sync.claim_digest(text, timestamptz, interval, integer) is
  'Hands a due digest (window ended, pending, or sending with a dead sender) to one sender and counts the attempt; no row when another has it or it is not due.';

-- The digest row, or P0002: the moves below answer the row as it stands when they do not apply.
create function vector_sync.digest_row(p_logical_name text, p_window_start timestamptz)
returns vector_sync.digests
language plpgsql
stable
set search_path = ''
as $$
declare
  v vector_sync.digests;
begin
  select * into v from vector_sync.digests where logical_name = p_logical_name and window_start = p_window_start;
  if not found then
    raise exception 'no digest of % starts at %', p_logical_name, p_window_start using errcode = 'P0002';
  end if;
  return v;
end
$$;

create function vector_sync.mark_digest_sent(p_logical_name text, p_window_start timestamptz, p_message_id text, p_archive_key text)
returns vector_sync.digests
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.digests;
begin
  update vector_sync.digests as d
  set state = 'sent', sent_at = pg_catalog.now(), message_id = p_message_id, archive_key = p_archive_key, last_error = null
  where d.logical_name = p_logical_name and d.window_start = p_window_start and d.state = 'sending'
  returning d.* into v;
  if found then
    return v;
  end if;
  return vector_sync.digest_row(p_logical_name, p_window_start);
end
$$;

create function vector_sync.fail_digest(
  p_logical_name text,
  p_window_start timestamptz,
  p_error text,
  p_max_attempts integer,
  p_permanent boolean default false
)
returns vector_sync.digests
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.digests;
begin
  update vector_sync.digests as d
  set state = case when p_permanent or d.attempts >= p_max_attempts then 'parked' else 'pending' end,
      parked_at = case when p_permanent or d.attempts >= p_max_attempts then pg_catalog.now() end,
      last_error = pg_catalog.left(coalesce(nullif(p_error, ''), 'unknown error'), 2000)
  where d.logical_name = p_logical_name and d.window_start = p_window_start and d.state = 'sending'
  returning d.* into v;
  if found then
    return v;
  end if;
  return vector_sync.digest_row(p_logical_name, p_window_start);
end
$$;
comment on function vector_sync.fail_digest(text, timestamptz, text, integer, boolean) is
  'A failed send: the digest is pending again (the next tick retries it), or parked with the error after p_max_attempts or a permanent failure.';

-- A send by hand went out: the digest counts as sent whatever it was, and the send is counted.
create function vector_sync.record_digest_resend(p_logical_name text, p_window_start timestamptz, p_message_id text, p_archive_key text)
returns vector_sync.digests
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.digests;
begin
  -- A window that has ended counts as sent (a parked digest sent by hand is done); one still open
  -- stays pending, so the timer sends it at its end with every run held for it by then.
  update vector_sync.digests as d
  set state = case when d.window_end <= pg_catalog.now() then 'sent' else d.state end,
      sent_at = case when d.window_end <= pg_catalog.now() then coalesce(d.sent_at, pg_catalog.now()) else d.sent_at end,
      message_id = case when d.window_end <= pg_catalog.now() then p_message_id else d.message_id end,
      archive_key = case when d.window_end <= pg_catalog.now() then p_archive_key else d.archive_key end,
      resends = d.resends + 1, last_resent_at = pg_catalog.now()
  where d.logical_name = p_logical_name and d.window_start = p_window_start
  returning d.* into v;
  if found then
    return v;
  end if;
  return vector_sync.digest_row(p_logical_name, p_window_start);
end
$$;

alter table vector_sync.digests enable row level security;
revoke all on table vector_sync.digests from public, anon, authenticated;
revoke execute on function
  vector_sync.digest_window_start(timestamptz, integer),
  vector_sync.settle_run_report(uuid, text, text, text, integer),
  vector_sync.due_digests(interval, integer),
  vector_sync.claim_digest(text, timestamptz, interval, integer),
  vector_sync.digest_row(text, timestamptz),
  vector_sync.mark_digest_sent(text, timestamptz, text, text),
  vector_sync.fail_digest(text, timestamptz, text, integer, boolean),
  vector_sync.record_digest_resend(text, timestamptz, text, text)
from public, anon, authenticated;

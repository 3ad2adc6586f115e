-- bound parked events
--
-- A burst of junk must not fill the database, and parking must never fail on what it parks:
-- - a parked event keeps a bounded excerpt of its text (`event_excerpt`, at most 2,000 characters),
--   its size in bytes and its sha256 instead of the whole payload (`event` stays for older rows);
-- - an event with no usable id is parked once per function and digest, and a repeat (the same
--   event id, or the same bytes without one) only counts up `repeats` and `last_parked_at`;
-- - text columns are bounded, so an id or type of any length is stored cut, not refused.
-- The caller computes excerpt, size and digest from the bytes it refused (shared/ledger/Ledger.ts)
-- and replaces NUL, which Postgres text cannot hold.

alter table vector_sync.parked_events
  add column event_excerpt text
    constraint parked_events_event_excerpt_length check (char_length(event_excerpt) <= 2000),
  add column event_bytes integer
    constraint parked_events_event_bytes_range check (event_bytes >= 0),
  add column event_sha256 text
    constraint parked_events_event_sha256_format check (event_sha256 ~ '^[0-9a-f]{64}$'),
  add column repeats integer not null default 1
    constraint parked_events_repeats_positive check (repeats >= 1),
  add column last_parked_at timestamptz;
comment on column vector_sync.parked_events.event_excerpt is 'The first 2,000 characters of the refused event as text (JSON when it was JSON).';
comment on column vector_sync.parked_events.repeats is 'How many times this event (same id, or same bytes without an id) was refused.';

-- One row per function and digest for events without an id (most junk has none).
create unique index parked_events_function_digest on vector_sync.parked_events (function_name, event_sha256)
  where event_id is null and event_sha256 is not null;

create function vector_sync.park_event(
  p_function_name text,
  p_event_id text,
  p_event_type text,
  p_run_id uuid,
  p_code text,
  p_reason text,
  p_event_excerpt text,
  p_event_bytes integer,
  p_event_sha256 text
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_id bigint;
  v_event_id text := pg_catalog.left(p_event_id, 256);
begin
  insert into vector_sync.parked_events (
    function_name, event_id, event_type, run_id, code, reason, event_excerpt, event_bytes, event_sha256
  )
  values (
    pg_catalog.left(p_function_name, 128), v_event_id, pg_catalog.left(p_event_type, 256),
    -- A run id is kept only when it names a run: a bad event may carry anything.
    (select r.run_id from vector_sync.runs as r where r.run_id = p_run_id),
    pg_catalog.left(p_code, 128), pg_catalog.left(p_reason, 4000),
    pg_catalog.left(p_event_excerpt, 2000), p_event_bytes, p_event_sha256
  )
  on conflict do nothing
  returning id into v_id;
  if v_id is null then
    -- A repeat: count it on the row that holds the first one.
    update vector_sync.parked_events as p
    set repeats = p.repeats + 1, last_parked_at = pg_catalog.now()
    where p.function_name = pg_catalog.left(p_function_name, 128)
      and ((v_event_id is not null and p.event_id = v_event_id)
        or (v_event_id is null and p.event_id is null and p.event_sha256 = p_event_sha256))
    returning p.id into v_id;
  end if;
  return v_id;
end
$$;
comment on function vector_sync.park_event(text, text, text, uuid, text, text, text, integer, text) is
  'Parks a refused event once per function and event id (or digest without an id), with a bounded excerpt; repeats are counted.';
revoke execute on function vector_sync.park_event(text, text, text, uuid, text, text, text, integer, text) from public, anon, authenticated;

-- The older form (whole payload as jsonb) now stores the same bounded record.
create or replace function vector_sync.park_event(
  p_function_name text,
  p_event_id text,
  p_event_type text,
  p_run_id uuid,
  p_code text,
  p_reason text,
  p_event jsonb
)
returns bigint
language sql
set search_path = ''
as $$
  select vector_sync.park_event(
    p_function_name, p_event_id, p_event_type, p_run_id, p_code, p_reason,
    pg_catalog.left(p_event::text, 2000),
    pg_catalog.octet_length(p_event::text),
    case when p_event is null then null else pg_catalog.encode(extensions.digest(pg_catalog.convert_to(p_event::text, 'UTF8'), 'sha256'), 'hex') end
  );
$$;

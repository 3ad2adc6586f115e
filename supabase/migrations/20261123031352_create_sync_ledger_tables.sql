-- create sync ledger tables
--
-- The ledger of the OSS Vectors sync (docs/supabase.md, "The ledger"): registered indexes, runs,
-- their documents and chunks, refused vectors, and what each index holds. Rows move between states
-- only through the functions of the next migration (create_sync_ledger_functions); the checks here
-- keep the data sane even when someone writes by hand.
--
-- Document ids are text here (1 to 1,024 UTF-8 bytes, the OSS Vectors key limit): events, queue
-- messages and OSS keys carry them as text, and a ledger must be able to record an id it refused.

create table vector_sync.indexes (
  index_name text primary key
    constraint indexes_index_name_format check (index_name ~ '^[A-Za-z][A-Za-z0-9]{0,62}$'),
  logical_name text not null
    constraint indexes_logical_name_format check (logical_name ~ '^[A-Za-z][A-Za-z0-9]{0,62}$'),
  bucket text not null
    constraint indexes_bucket_format check (bucket ~ '^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$'),
  dimension integer not null
    constraint indexes_dimension_range check (dimension between 1 and 4096),
  metric text not null
    constraint indexes_metric_known check (metric in ('cosine', 'euclidean')),
  state text not null default 'building'
    constraint indexes_state_known check (state in ('building', 'active', 'retired', 'dropped')),
  created_at timestamptz not null default now(),
  activated_at timestamptz,
  retired_at timestamptz,
  dropped_at timestamptz,
  constraint indexes_active_has_activated_at check (state <> 'active' or activated_at is not null),
  constraint indexes_dropped_has_dropped_at check (state <> 'dropped' or dropped_at is not null)
);
comment on table vector_sync.indexes is
  'Registered OSS Vectors indexes; events name the logical_name, which resolves to its one active index.';

-- A rebuild builds a new physical index beside the active one and switches: never two active.
create unique index indexes_one_active_per_logical_name
  on vector_sync.indexes (logical_name) where state = 'active';

create table vector_sync.runs (
  run_id uuid primary key default gen_random_uuid(),
  source_event_id text not null
    constraint runs_source_event_id_unique unique
    constraint runs_source_event_id_length check (char_length(source_event_id) between 1 and 256),
  op text not null
    constraint runs_op_known check (op in ('sync', 'rebuild', 'verify')),
  index_name text not null references vector_sync.indexes (index_name),
  state text not null default 'accepted'
    constraint runs_state_known check (state in ('accepted', 'chunked', 'dispatched', 'completed', 'failed')),
  requested_by text
    constraint runs_requested_by_length check (char_length(requested_by) between 1 and 128),
  chunk_count integer
    constraint runs_chunk_count_range check (chunk_count >= 0),
  ids_total integer not null default 0 constraint runs_ids_total_range check (ids_total >= 0),
  upserted bigint not null default 0 constraint runs_upserted_range check (upserted >= 0),
  deleted bigint not null default 0 constraint runs_deleted_range check (deleted >= 0),
  skipped bigint not null default 0 constraint runs_skipped_range check (skipped >= 0),
  rejected bigint not null default 0 constraint runs_rejected_range check (rejected >= 0),
  failed bigint not null default 0 constraint runs_failed_range check (failed >= 0),
  error text,
  accepted_at timestamptz not null default now(),
  chunked_at timestamptz,
  dispatched_at timestamptz,
  completed_at timestamptz,
  failed_at timestamptz,
  report_sent_at timestamptz,
  report_message_id text,
  constraint runs_chunked_has_chunk_count check (state = 'accepted' or state = 'failed' or chunk_count is not null),
  constraint runs_report_only_when_final check (report_sent_at is null or state in ('completed', 'failed'))
);
comment on table vector_sync.runs is
  'One row per sync, rebuild or verify run, keyed by the event that asked for it (at-least-once delivery).';

create index runs_state_accepted_at on vector_sync.runs (state, accepted_at);
create index runs_index_name_accepted_at on vector_sync.runs (index_name, accepted_at desc);
create index runs_accepted_at on vector_sync.runs (accepted_at desc);
-- notify looks for finished runs whose report is still due.
create index runs_report_due on vector_sync.runs (accepted_at)
  where report_sent_at is null and state in ('completed', 'failed');

create table vector_sync.run_items (
  run_id uuid not null references vector_sync.runs (run_id) on delete cascade,
  document_id text not null
    constraint run_items_document_id_length check (octet_length(document_id) between 1 and 1024),
  op text
    constraint run_items_op_known check (op in ('upsert', 'delete')),
  outcome text
    constraint run_items_outcome_known check (outcome in ('upserted', 'deleted', 'skipped', 'rejected', 'failed')),
  updated_at timestamptz not null default now(),
  primary key (run_id, document_id)
);
comment on table vector_sync.run_items is
  'The documents of a run; op stays null until the worker decides it from the current row.';

create table vector_sync.chunks (
  run_id uuid not null references vector_sync.runs (run_id) on delete cascade,
  chunk_no integer not null
    constraint chunks_chunk_no_range check (chunk_no between 0 and 1000000),
  selector jsonb not null
    constraint chunks_selector_shape check (
      jsonb_typeof(selector) = 'object'
      and (
        coalesce(jsonb_typeof(selector -> 'ids') = 'array', false)
        or (selector ? 'after' and selector ? 'through')
      )
    ),
  state text not null default 'ready'
    constraint chunks_state_known check (state in ('ready', 'dispatched', 'running', 'succeeded', 'failed')),
  attempts integer not null default 0
    constraint chunks_attempts_range check (attempts >= 0),
  command_id text,
  invoke_id text,
  instance_id text,
  result jsonb
    constraint chunks_result_is_object check (result is null or jsonb_typeof(result) = 'object'),
  error text,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz,
  running_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (run_id, chunk_no),
  constraint chunks_in_flight_has_dispatched_at check (state not in ('dispatched', 'running') or dispatched_at is not null)
);
comment on table vector_sync.chunks is
  'A slice of a run (ids or a key range) handed to the ECS worker through one RunCommand per attempt.';

-- reconcile: chunks in flight for too long.
create index chunks_in_flight_dispatched_at on vector_sync.chunks (state, dispatched_at)
  where state in ('dispatched', 'running');
-- collect-stats: TaskCompleted carries the CommandId.
create index chunks_command_id on vector_sync.chunks (command_id) where command_id is not null;

create table vector_sync.rejections (
  run_id uuid not null references vector_sync.runs (run_id) on delete cascade,
  document_id text not null
    constraint rejections_document_id_length check (octet_length(document_id) between 1 and 1024),
  chunk_no integer,
  reason text not null
    -- The vector-level codes of shared/clients/oss-vectors/constants.ts (ValidationReasons).
    constraint rejections_reason_known check (reason in (
      'EmptyBatch', 'TooManyVectors', 'DuplicateKey', 'InvalidKey', 'DimensionMismatch', 'NonFiniteValue',
      'ZeroVectorOnCosine', 'MetadataTooLarge', 'TooManyMetadataKeys', 'InvalidMetadataValue', 'TooManyKeys',
      'InvalidTopK', 'FilterTooLarge', 'InvalidArgument'
    )),
  detail text,
  rejected_at timestamptz not null default now(),
  constraint rejections_run_document_unique primary key (run_id, document_id),
  -- chunk_no is null when validate refused the id before the run was chunked.
  constraint rejections_chunk_fk foreign key (run_id, chunk_no)
    references vector_sync.chunks (run_id, chunk_no) on delete cascade
);
comment on table vector_sync.rejections is 'Vectors the pipeline refused, one per run and document, with a reason code.';

create table vector_sync.index_state (
  index_name text not null references vector_sync.indexes (index_name),
  document_id text not null
    constraint index_state_document_id_length check (octet_length(document_id) between 1 and 1024),
  content_hash text not null
    constraint index_state_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  synced_at timestamptz not null default now(),
  primary key (index_name, document_id)
);
comment on table vector_sync.index_state is
  'What each index holds per document: the source of TotalVectors in the report and of verify.';

-- One row per run, newest first: what the dashboard and the CLI show.
create view vector_sync.run_history
with (security_invoker = true)
as
select
  r.run_id,
  r.source_event_id,
  r.op,
  r.index_name,
  i.logical_name,
  r.state,
  r.requested_by,
  r.chunk_count,
  coalesce(c.chunks_succeeded, 0) as chunks_succeeded,
  coalesce(c.chunks_failed, 0) as chunks_failed,
  coalesce(c.attempts, 0) as attempts,
  r.ids_total,
  r.upserted,
  r.deleted,
  r.skipped,
  r.rejected,
  r.failed,
  r.error,
  r.accepted_at,
  coalesce(r.completed_at, r.failed_at) as finished_at,
  extract(epoch from (r.dispatched_at - r.accepted_at)) as seconds_to_dispatch,
  extract(epoch from (coalesce(r.completed_at, r.failed_at) - r.accepted_at)) as duration_seconds,
  r.report_sent_at is not null as report_sent,
  r.report_sent_at,
  r.report_message_id
from vector_sync.runs as r
join vector_sync.indexes as i on i.index_name = r.index_name
left join lateral (
  select
    count(*) filter (where ch.state = 'succeeded') as chunks_succeeded,
    count(*) filter (where ch.state = 'failed') as chunks_failed,
    sum(ch.attempts) as attempts
  from vector_sync.chunks as ch
  where ch.run_id = r.run_id
) as c on true
order by r.accepted_at desc, r.run_id;
comment on view vector_sync.run_history is 'One row per run, newest first, with counts, durations and whether the report went out.';

-- Security: nothing here is for the API roles. RLS with no policy shuts them out even if a grant
-- slips in later; the owner (SUPABASE_DB_URL) is not subject to RLS.
alter table vector_sync.indexes enable row level security;
alter table vector_sync.runs enable row level security;
alter table vector_sync.run_items enable row level security;
alter table vector_sync.chunks enable row level security;
alter table vector_sync.rejections enable row level security;
alter table vector_sync.index_state enable row level security;

revoke all on table
  vector_sync.indexes, vector_sync.runs, vector_sync.run_items, vector_sync.chunks,
  vector_sync.rejections, vector_sync.index_state, vector_sync.run_history
from public, anon, authenticated;

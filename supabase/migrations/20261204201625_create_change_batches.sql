-- create change batches
--
-- Claim-check batches (docs/architecture.md, "Runs and reports under real workloads"). A publish
-- cycle moves up to PUBLISH_MAX_IDS document ids from the `vector_sync` queue into one change batch
-- here, in one transaction with the delete of their messages, and then publishes one small
-- `vectorsync.changes.published` event that names the batch (event id = batch id). validate opens
-- the batch's run from these rows, so events stay small whatever the batch size, and a run is one
-- batch.
--
-- Nothing is lost or doubled:
--   * a message belongs to at most one batch: the claim reads with pgmq's FOR UPDATE SKIP LOCKED
--     and deletes what it read in the same transaction, so overlapping cycles claim disjoint ids;
--   * a publish that fails after the claim leaves the batch 'claimed': the next cycle publishes it
--     again (bounded, with backoff; parked with its reason after the last attempt);
--   * a duplicate event (or a second publish of the same batch) opens no second run: the run is
--     keyed by the event id and the batch has at most one run.

create table vector_sync.change_batches (
  batch_id uuid primary key default gen_random_uuid(),
  logical_name text not null
    constraint change_batches_logical_name_format check (logical_name ~ '^[A-Za-z][A-Za-z0-9]{0,62}$'),
  id_count integer not null
    constraint change_batches_id_count_range check (id_count >= 1),
  state text not null default 'claimed'
    constraint change_batches_state_known check (state in ('claimed', 'published', 'parked')),
  publish_attempts integer not null default 0
    constraint change_batches_publish_attempts_range check (publish_attempts >= 0),
  -- A 'claimed' batch is (re)published from this time on; handing it to a cycle moves it ahead
  -- by a lease, so two overlapping cycles do not both send it.
  next_publish_at timestamptz not null default now(),
  last_error text,
  claimed_at timestamptz not null default now(),
  published_at timestamptz,
  parked_at timestamptz,
  constraint change_batches_published_has_published_at check (state <> 'published' or published_at is not null),
  constraint change_batches_parked_has_reason check (state <> 'parked' or (parked_at is not null and last_error is not null))
);
comment on table vector_sync.change_batches is
  'Claim-check batches of changed document ids: one per publish cycle, one run each.';

create index change_batches_due on vector_sync.change_batches (next_publish_at) where state = 'claimed';
create index change_batches_claimed_at on vector_sync.change_batches (claimed_at desc);

create table vector_sync.change_batch_items (
  batch_id uuid not null references vector_sync.change_batches (batch_id) on delete cascade,
  document_id text not null
    constraint change_batch_items_document_id_length check (octet_length(document_id) between 1 and 1024),
  -- When the oldest message that named the document entered the queue: the start of its lag.
  changed_at timestamptz not null,
  primary key (batch_id, document_id)
);
comment on table vector_sync.change_batch_items is 'The document ids of a change batch, with when each change was queued.';

-- A run is one batch; manual runs have none.
alter table vector_sync.runs add column batch_id uuid
  constraint runs_batch_id_fkey references vector_sync.change_batches (batch_id)
  constraint runs_batch_id_unique unique;
comment on column vector_sync.runs.batch_id is 'The change batch a change-driven sync run was opened from (null for manual runs).';

-- When the change a run item carries entered the queue (change-driven runs), so the lag from
-- change to index can be measured per document.
alter table vector_sync.run_items add column changed_at timestamptz;
comment on column vector_sync.run_items.changed_at is 'When the change entered the vector_sync queue (null for manual runs).';

alter table vector_sync.change_batches enable row level security;
alter table vector_sync.change_batch_items enable row level security;
revoke all on table vector_sync.change_batches, vector_sync.change_batch_items from public, anon, authenticated;

-- A batch as publish-changes sees it.
create type vector_sync.claimed_batch as (batch_id uuid, logical_name text, id_count integer, publish_attempts integer, claimed_at timestamptz);

create function vector_sync.claim_change_batch(
  p_logical_name text,
  p_max_ids integer,
  p_vt_seconds integer default 60
)
returns setof vector_sync.claimed_batch
language plpgsql
set search_path = ''
as $$
declare
  v_batch vector_sync.claimed_batch;
  v_msg_ids bigint[];
  v_ids text[];
  v_enqueued timestamptz[];
  v_bad bigint[];
  v_count integer;
begin
  if p_max_ids is null or p_max_ids < 1 or p_max_ids > 1000000 then
    raise exception 'p_max_ids must be between 1 and 1000000, not %', coalesce(p_max_ids::text, 'null') using errcode = '22023';
  end if;
  if p_vt_seconds is null or p_vt_seconds < 1 then
    raise exception 'p_vt_seconds must be at least 1' using errcode = '22023';
  end if;

  -- pgmq.read locks what it reads (FOR UPDATE SKIP LOCKED): an overlapping cycle skips these rows.
  select
    coalesce(pg_catalog.array_agg(r.msg_id), '{}'),
    coalesce(pg_catalog.array_agg(pg_catalog.lower(pg_catalog.btrim(r.message ->> 'id'))), '{}'),
    coalesce(pg_catalog.array_agg(r.enqueued_at), '{}')
  into v_msg_ids, v_ids, v_enqueued
  from pgmq.read('vector_sync', p_vt_seconds, p_max_ids) as r;
  if pg_catalog.cardinality(v_msg_ids) = 0 then
    return;
  end if;

  -- A message without a document uuid can never succeed: parked at once with its reason.
  select coalesce(pg_catalog.array_agg(t.msg_id), '{}') into v_bad
  from unnest(v_msg_ids, v_ids) as t(msg_id, document_id)
  where t.document_id is null
    or t.document_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  perform vector_sync.retry_or_park('vector_sync', b.msg_id, 'message carries no document uuid in "id"', 'read', 1)
  from unnest(v_bad) as b(msg_id);

  select pg_catalog.count(distinct t.document_id)::integer into v_count
  from unnest(v_msg_ids, v_ids) as t(msg_id, document_id)
  where t.msg_id <> all (v_bad);
  if v_count = 0 then
    return;
  end if;

  -- Leased to this cycle for p_vt_seconds: only if it dies before publishing does another take it.
  insert into vector_sync.change_batches (logical_name, id_count, next_publish_at)
  values (p_logical_name, v_count, pg_catalog.now() + pg_catalog.make_interval(secs => p_vt_seconds))
  returning batch_id, logical_name, id_count, publish_attempts, claimed_at into v_batch;

  insert into vector_sync.change_batch_items (batch_id, document_id, changed_at)
  select v_batch.batch_id, t.document_id, pg_catalog.min(t.enqueued_at)
  from unnest(v_msg_ids, v_ids, v_enqueued) as t(msg_id, document_id, enqueued_at)
  where t.msg_id <> all (v_bad)
  group by t.document_id;

  perform pgmq.delete('vector_sync', array(select t.msg_id from unnest(v_msg_ids) as t(msg_id) where t.msg_id <> all (v_bad)));
  return next v_batch;
end
$$;
comment on function vector_sync.claim_change_batch(text, integer, integer) is
  'Moves up to p_max_ids messages of the vector_sync queue into one change batch (ids coalesced, messages deleted) in one transaction, leased to the caller for p_vt_seconds; returns the batch, or no row when the queue is empty.';

create function vector_sync.change_backlog(p_max_ids integer)
returns table (embedding_pending boolean, sync_visible integer, oldest_age_seconds double precision)
language sql
stable
set search_path = ''
as $$
  select
    exists (select 1 from pgmq.q_embedding_jobs),
    (select pg_catalog.count(*)::integer from (
      select 1 from pgmq.q_vector_sync as q where q.vt <= pg_catalog.clock_timestamp() limit p_max_ids) as v),
    (select extract(epoch from pg_catalog.now() - q.enqueued_at)::double precision
     from pgmq.q_vector_sync as q where q.vt <= pg_catalog.clock_timestamp() order by q.msg_id limit 1);
$$;
comment on function vector_sync.change_backlog(integer) is
  'What publish-changes weighs before a claim: embeddings still pending, visible sync messages (counted up to p_max_ids), age of the oldest one.';

create function vector_sync.batches_to_publish(p_logical_name text, p_lease_seconds integer default 60, p_limit integer default 10)
returns setof vector_sync.claimed_batch
language sql
set search_path = ''
as $$
  with due as (
    select b.batch_id
    from vector_sync.change_batches as b
    where b.state = 'claimed'
      and b.logical_name = p_logical_name
      and b.next_publish_at <= pg_catalog.now()
    order by b.claimed_at
    limit p_limit
    for update skip locked
  )
  update vector_sync.change_batches as b
  set next_publish_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
  from due
  where b.batch_id = due.batch_id
  returning b.batch_id, b.logical_name, b.id_count, b.publish_attempts, b.claimed_at;
$$;
comment on function vector_sync.batches_to_publish(text, integer, integer) is
  'Claimed batches whose publish is due (a failed publish or a cycle that died), oldest first, leased to this cycle for p_lease_seconds.';

create function vector_sync.mark_batch_published(p_batch_id uuid)
returns vector_sync.change_batches
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.change_batches;
begin
  update vector_sync.change_batches as b
  set state = 'published', published_at = coalesce(b.published_at, pg_catalog.now()), publish_attempts = b.publish_attempts + 1, last_error = null
  where b.batch_id = p_batch_id and b.state in ('claimed', 'published')
  returning * into v;
  if not found then
    select * into v from vector_sync.change_batches where batch_id = p_batch_id;
    if not found then
      raise exception 'change batch % does not exist', p_batch_id using errcode = 'P0002';
    end if;
  end if;
  return v;
end
$$;
comment on function vector_sync.mark_batch_published(uuid) is 'Records that the bus accepted the batch''s event (idempotent).';

create function vector_sync.fail_batch_publish(
  p_batch_id uuid,
  p_error text,
  p_max_attempts integer default 5,
  p_base_delay_seconds integer default 10,
  p_max_delay_seconds integer default 900
)
returns vector_sync.change_batches
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.change_batches;
begin
  if p_max_attempts is null or p_max_attempts < 1
    or p_base_delay_seconds is null or p_base_delay_seconds < 1
    or p_max_delay_seconds is null or p_max_delay_seconds < p_base_delay_seconds
  then
    raise exception 'need p_max_attempts >= 1 and 1 <= p_base_delay_seconds <= p_max_delay_seconds' using errcode = '22023';
  end if;
  update vector_sync.change_batches as b
  set publish_attempts = b.publish_attempts + 1,
      last_error = pg_catalog.left(coalesce(p_error, 'unknown error'), 2000),
      state = case when b.publish_attempts + 1 >= p_max_attempts then 'parked' else 'claimed' end,
      parked_at = case when b.publish_attempts + 1 >= p_max_attempts then pg_catalog.now() end,
      next_publish_at = pg_catalog.now() + pg_catalog.make_interval(
        secs => least(p_max_delay_seconds, p_base_delay_seconds * pg_catalog.power(2, b.publish_attempts)::integer))
  where b.batch_id = p_batch_id and b.state = 'claimed'
  returning * into v;
  if not found then
    -- Published meanwhile by an overlapping cycle, or parked already: left as it is.
    select * into v from vector_sync.change_batches where batch_id = p_batch_id;
    if not found then
      raise exception 'change batch % does not exist', p_batch_id using errcode = 'P0002';
    end if;
  end if;
  return v;
end
$$;
comment on function vector_sync.fail_batch_publish(uuid, text, integer, integer, integer) is
  'A failed publish of a claimed batch: retried after a capped exponential delay, parked with its reason after p_max_attempts.';

create function vector_sync.open_batch_run(
  p_source_event_id text,
  p_batch_id uuid,
  p_index_name text,
  p_id_count integer,
  p_requested_by text default null
)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
  v_batch vector_sync.change_batches;
  v_index vector_sync.indexes;
begin
  -- A redelivered event finds its run.
  select * into v from vector_sync.runs where source_event_id = p_source_event_id;
  if found then
    if v.batch_id is distinct from p_batch_id then
      raise exception 'event % already opened run %, not a run of batch %', p_source_event_id, v.run_id, p_batch_id using errcode = '42710';
    end if;
    return v;
  end if;

  select * into v_batch from vector_sync.change_batches where batch_id = p_batch_id for update;
  if not found then
    raise exception 'change batch % does not exist', p_batch_id using errcode = 'P0002';
  end if;
  if v_batch.id_count <> p_id_count then
    raise exception 'change batch % holds % ids, the event says %', p_batch_id, v_batch.id_count, p_id_count using errcode = '22023';
  end if;
  select * into v_index from vector_sync.indexes where index_name = p_index_name;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v_index.logical_name <> v_batch.logical_name then
    raise exception 'change batch % is for index %, not %', p_batch_id, v_batch.logical_name, v_index.logical_name using errcode = '22023';
  end if;
  if v_index.state = 'dropped' then
    raise exception 'index % is dropped', p_index_name using errcode = '55000';
  end if;

  -- The batch's run, whichever event opened it: a batch is one run.
  select * into v from vector_sync.runs where batch_id = p_batch_id;
  if found then
    return v;
  end if;

  insert into vector_sync.runs (source_event_id, op, index_name, requested_by, ids_total, batch_id)
  values (p_source_event_id, 'sync', p_index_name, p_requested_by, v_batch.id_count, p_batch_id)
  returning * into v;
  insert into vector_sync.run_items (run_id, document_id, changed_at)
  select v.run_id, i.document_id, i.changed_at
  from vector_sync.change_batch_items as i
  where i.batch_id = p_batch_id;
  -- The bus delivered the event, so it was published, whatever the publisher recorded.
  update vector_sync.change_batches as b
  set state = 'published', published_at = coalesce(b.published_at, pg_catalog.now()), last_error = null, parked_at = null
  where b.batch_id = p_batch_id and b.state <> 'published';
  return v;
end
$$;
comment on function vector_sync.open_batch_run(text, uuid, text, integer, text) is
  'Opens the sync run of a change batch (once: keyed by the event id, and a batch has at most one run), its items copied from the batch with when each change was queued.';

revoke execute on function
  vector_sync.claim_change_batch(text, integer, integer),
  vector_sync.change_backlog(integer),
  vector_sync.batches_to_publish(text, integer, integer),
  vector_sync.mark_batch_published(uuid),
  vector_sync.fail_batch_publish(uuid, text, integer, integer, integer),
  vector_sync.open_batch_run(text, uuid, text, integer, text)
from public, anon, authenticated;

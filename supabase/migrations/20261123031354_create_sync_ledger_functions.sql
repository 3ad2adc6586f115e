-- create sync ledger functions
--
-- Every state move of the ledger is one of these functions. Each update is guarded by the state it
-- expects, so a repeated call (at-least-once delivery) is harmless: it returns the row as it is.
-- A move that cannot happen raises with a SQLSTATE the callers can classify:
--   P0002 (no_data_found)                     unknown index, run or chunk
--   55000 (object_not_in_prerequisite_state)  the row is in a state the move does not start from
--   22023 (invalid_parameter_value)           a bad argument (op, ids, selector, counts, reason)
--   42710 (duplicate_object)                  a key reused with different content (re-registered index
--                                             with another dimension, event id reused for another run,
--                                             chunk re-added with another selector)
--
-- Indexes
--   register_index(p_index_name text, p_logical_name text, p_bucket text, p_dimension int, p_metric text)
--     returns vector_sync.indexes                 new row in 'building'; same arguments again: the row
--   activate_index(p_index_name text) returns vector_sync.indexes
--                                                 building -> active; the previous active index of the
--                                                 same logical name -> retired, in the same transaction
--   mark_index_dropped(p_index_name text) returns vector_sync.indexes
--                                                 retired|building -> dropped; forgets its index_state
--   active_index(p_logical_name text) returns vector_sync.indexes     the active row, or null
-- Runs and chunks
--   open_run(p_source_event_id text, p_op text, p_index_name text, p_ids text[] default null,
--            p_requested_by text default null) returns vector_sync.runs
--                                                 one run per source event id; run_items for the ids
--   fail_run(p_run_id uuid, p_error text) returns vector_sync.runs       accepted|chunked -> failed
--   add_chunk(p_run_id uuid, p_chunk_no int, p_selector jsonb) returns vector_sync.chunks
--                                                 new chunk in 'ready' while the run is 'accepted'
--   mark_run_chunked(p_run_id uuid, p_chunk_count int) returns vector_sync.runs
--                                                 accepted -> chunked once chunks 0..n-1 exist
--   mark_chunk_dispatched(p_run_id uuid, p_chunk_no int, p_command_id text, p_invoke_id text,
--                         p_instance_id text) returns vector_sync.chunks
--                                                 ready -> dispatched, attempts + 1; run chunked -> dispatched
--   mark_chunk_running(p_run_id uuid, p_chunk_no int, p_command_id text default null)
--     returns vector_sync.chunks                  dispatched -> running
--   finish_chunk(p_run_id uuid, p_chunk_no int, p_succeeded boolean, p_result jsonb, p_error text,
--                p_command_id text default null) returns vector_sync.chunks
--                                                 dispatched|running -> succeeded|failed
--   requeue_chunk(p_run_id uuid, p_chunk_no int, p_reason text, p_max_attempts int)
--     returns vector_sync.chunks                  dispatched|running -> ready (attempts < max) or failed
--   silent_chunks(p_older_than interval, p_limit int default 100) returns setof vector_sync.chunks
--                                                 in-flight chunks dispatched before now() - p_older_than
--   chunk_for_command(p_command_id text) returns vector_sync.chunks    the chunk of a CommandId, or null
--   complete_run(p_run_id uuid) returns vector_sync.runs
--                                                 dispatched (or chunked with no chunk) -> completed|failed
--                                                 once every chunk is final, with the summed counts
--   mark_report_sent(p_run_id uuid, p_message_id text) returns boolean
--                                                 sets report_sent_at once; true only for the call that did
-- Documents
--   record_items(p_run_id uuid, p_document_ids text[], p_op text, p_outcome text) returns integer
--   record_rejection(p_run_id uuid, p_chunk_no int, p_document_id text, p_reason text, p_detail text)
--     returns vector_sync.rejections              one per (run, document); a repeat returns the first
--   upsert_index_state(p_index_name text, p_document_ids text[], p_content_hashes text[]) returns integer
--   delete_index_state(p_index_name text, p_document_ids text[]) returns integer
--   index_stats(p_index_name text) returns table (total_vectors bigint, last_synced_at timestamptz)
--
-- `p_command_id` on mark_chunk_running/finish_chunk is optional: when given, a call from an older
-- attempt (the chunk was requeued and re-dispatched since) is refused with 55000.

-- Raises 22023 unless every id is a non-null text of 1 to 1,024 UTF-8 bytes.
create function vector_sync.check_document_ids(p_document_ids text[])
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  bad integer;
begin
  select count(*) into bad
  from unnest(p_document_ids) as t(id)
  where t.id is null or pg_catalog.octet_length(t.id) not between 1 and 1024;
  if bad > 0 then
    raise exception '% document id(s) are null, empty or longer than 1024 bytes', bad
      using errcode = '22023';
  end if;
end
$$;

create function vector_sync.register_index(
  p_index_name text,
  p_logical_name text,
  p_bucket text,
  p_dimension integer,
  p_metric text
)
returns vector_sync.indexes
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.indexes;
begin
  if p_metric is null or p_metric not in ('cosine', 'euclidean') then
    raise exception 'metric must be cosine or euclidean, not %', coalesce(p_metric, 'null') using errcode = '22023';
  end if;
  if p_dimension is null or p_dimension not between 1 and 4096 then
    raise exception 'dimension must be between 1 and 4096, not %', coalesce(p_dimension::text, 'null')
      using errcode = '22023';
  end if;

  insert into vector_sync.indexes (index_name, logical_name, bucket, dimension, metric)
  values (p_index_name, p_logical_name, p_bucket, p_dimension, p_metric)
  on conflict (index_name) do nothing
  returning * into v;
  if found then
    return v;
  end if;

  select * into strict v from vector_sync.indexes where index_name = p_index_name;
  if (v.logical_name, v.bucket, v.dimension, v.metric) is distinct from (p_logical_name, p_bucket, p_dimension, p_metric) then
    raise exception 'index % is already registered as %/% (dimension %, %), not %/% (dimension %, %)',
      p_index_name, v.bucket, v.logical_name, v.dimension, v.metric,
      p_bucket, p_logical_name, p_dimension, p_metric
      using errcode = '42710';
  end if;
  return v;
end
$$;

create function vector_sync.activate_index(p_index_name text)
returns vector_sync.indexes
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.indexes;
begin
  select * into v from vector_sync.indexes where index_name = p_index_name for update;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v.state = 'active' then
    return v;
  end if;
  if v.state <> 'building' then
    raise exception 'index % is %; only a building index can be activated', p_index_name, v.state
      using errcode = '55000';
  end if;

  -- Retire first: the partial unique index allows one active row per logical name at any moment.
  update vector_sync.indexes
  set state = 'retired', retired_at = now()
  where logical_name = v.logical_name and state = 'active';

  update vector_sync.indexes
  set state = 'active', activated_at = now()
  where index_name = p_index_name and state = 'building'
  returning * into v;
  return v;
end
$$;

create function vector_sync.mark_index_dropped(p_index_name text)
returns vector_sync.indexes
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.indexes;
begin
  select * into v from vector_sync.indexes where index_name = p_index_name for update;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v.state = 'dropped' then
    return v;
  end if;
  if v.state = 'active' then
    raise exception 'index % is active; activate its successor before dropping it', p_index_name
      using errcode = '55000';
  end if;

  -- The vectors are gone with the index.
  delete from vector_sync.index_state where index_name = p_index_name;
  update vector_sync.indexes
  set state = 'dropped', dropped_at = now()
  where index_name = p_index_name and state in ('building', 'retired')
  returning * into v;
  return v;
end
$$;

create function vector_sync.active_index(p_logical_name text)
returns vector_sync.indexes
language sql
stable
set search_path = ''
as $$
  select i.* from vector_sync.indexes as i where i.logical_name = p_logical_name and i.state = 'active';
$$;

create function vector_sync.open_run(
  p_source_event_id text,
  p_op text,
  p_index_name text,
  p_ids text[] default null,
  p_requested_by text default null
)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
  v_index_state text;
begin
  if p_op is null or p_op not in ('sync', 'rebuild', 'verify') then
    raise exception 'op must be sync, rebuild or verify, not %', coalesce(p_op, 'null') using errcode = '22023';
  end if;
  if p_op = 'sync' and coalesce(pg_catalog.cardinality(p_ids), 0) = 0 then
    raise exception 'a sync run needs at least one id' using errcode = '22023';
  end if;
  if p_op <> 'sync' and p_ids is not null then
    raise exception 'a % run takes no ids', p_op using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_ids);

  -- A redelivered event finds its run: same run_id, no second set of items.
  select * into v from vector_sync.runs where source_event_id = p_source_event_id;
  if not found then
    select i.state into v_index_state from vector_sync.indexes as i where i.index_name = p_index_name;
    if not found then
      raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
    end if;
    if v_index_state = 'dropped' then
      raise exception 'index % is dropped', p_index_name using errcode = '55000';
    end if;

    insert into vector_sync.runs (source_event_id, op, index_name, requested_by, ids_total)
    values (
      p_source_event_id, p_op, p_index_name, p_requested_by,
      (select count(distinct t.id) from unnest(p_ids) as t(id))
    )
    on conflict (source_event_id) do nothing
    returning * into v;
    if found then
      insert into vector_sync.run_items (run_id, document_id)
      select distinct v.run_id, t.id from unnest(p_ids) as t(id);
      return v;
    end if;
    -- A concurrent call with the same event id won the insert.
    select * into strict v from vector_sync.runs where source_event_id = p_source_event_id;
  end if;

  if v.op is distinct from p_op or v.index_name is distinct from p_index_name then
    raise exception 'event % already opened run % (% on %), not % on %',
      p_source_event_id, v.run_id, v.op, v.index_name, p_op, p_index_name
      using errcode = '42710';
  end if;
  return v;
end
$$;

create function vector_sync.fail_run(p_run_id uuid, p_error text)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
begin
  update vector_sync.runs
  set state = 'failed', failed_at = now(), error = coalesce(p_error, 'run failed')
  where run_id = p_run_id and state in ('accepted', 'chunked')
  returning * into v;
  if found then
    return v;
  end if;

  select * into v from vector_sync.runs where run_id = p_run_id;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  if v.state = 'failed' then
    return v;
  end if;
  raise exception 'run % is %; only an accepted or chunked run can be failed directly (a dispatched run ends through complete_run)',
    p_run_id, v.state
    using errcode = '55000';
end
$$;

create function vector_sync.add_chunk(p_run_id uuid, p_chunk_no integer, p_selector jsonb)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
  run_state text;
begin
  if p_selector is null
    or pg_catalog.jsonb_typeof(p_selector) <> 'object'
    or not (
      coalesce(pg_catalog.jsonb_typeof(p_selector -> 'ids') = 'array', false)
      or (p_selector operator(pg_catalog.?) 'after' and p_selector operator(pg_catalog.?) 'through')
    )
  then
    raise exception 'selector must be {"ids": [...]} or {"after": ..., "through": ...}, not %', coalesce(p_selector::text, 'null')
      using errcode = '22023';
  end if;
  if p_chunk_no is null or p_chunk_no not between 0 and 1000000 then
    raise exception 'chunk number must be between 0 and 1000000, not %', coalesce(p_chunk_no::text, 'null')
      using errcode = '22023';
  end if;

  select r.state into run_state from vector_sync.runs as r where r.run_id = p_run_id for share;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;

  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no;
  if found then
    if v.selector <> p_selector then
      raise exception 'chunk % of run % already exists with another selector', p_chunk_no, p_run_id
        using errcode = '42710';
    end if;
    return v;
  end if;

  if run_state <> 'accepted' then
    raise exception 'run % is %; chunks are added only while it is accepted', p_run_id, run_state
      using errcode = '55000';
  end if;
  insert into vector_sync.chunks (run_id, chunk_no, selector)
  values (p_run_id, p_chunk_no, p_selector)
  on conflict (run_id, chunk_no) do nothing
  returning * into v;
  if not found then
    select * into strict v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no;
  end if;
  return v;
end
$$;

create function vector_sync.mark_run_chunked(p_run_id uuid, p_chunk_count integer)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
  present integer;
begin
  if p_chunk_count is null or p_chunk_count < 0 then
    raise exception 'chunk count must be 0 or more, not %', coalesce(p_chunk_count::text, 'null') using errcode = '22023';
  end if;
  select * into v from vector_sync.runs where run_id = p_run_id for update;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;

  if v.state <> 'accepted' then
    if v.chunk_count is not distinct from p_chunk_count then
      return v;
    end if;
    raise exception 'run % is % with % chunk(s), not %', p_run_id, v.state, coalesce(v.chunk_count::text, 'no'), p_chunk_count
      using errcode = '55000';
  end if;

  select count(*) into present
  from vector_sync.chunks as c
  where c.run_id = p_run_id and c.chunk_no < p_chunk_count;
  if present <> p_chunk_count
    or exists (select 1 from vector_sync.chunks as c where c.run_id = p_run_id and c.chunk_no >= p_chunk_count)
  then
    raise exception 'run % has chunks other than 0..%', p_run_id, p_chunk_count - 1 using errcode = '55000';
  end if;

  update vector_sync.runs
  set state = 'chunked', chunk_count = p_chunk_count, chunked_at = now()
  where run_id = p_run_id and state = 'accepted'
  returning * into v;
  return v;
end
$$;

create function vector_sync.mark_chunk_dispatched(
  p_run_id uuid,
  p_chunk_no integer,
  p_command_id text,
  p_invoke_id text,
  p_instance_id text
)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
  run_state text;
begin
  if p_command_id is null then
    raise exception 'a dispatched chunk needs its command id' using errcode = '22023';
  end if;
  select r.state into run_state from vector_sync.runs as r where r.run_id = p_run_id;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;

  if v.state <> 'ready' then
    -- The same RunCommand (ClientToken) reported twice: nothing to do.
    if v.command_id = p_command_id then
      return v;
    end if;
    raise exception 'chunk % of run % is % (command %), not ready', p_chunk_no, p_run_id, v.state, coalesce(v.command_id, 'none')
      using errcode = '55000';
  end if;
  if run_state not in ('chunked', 'dispatched') then
    raise exception 'run % is %; chunks are dispatched only once it is chunked', p_run_id, run_state
      using errcode = '55000';
  end if;

  update vector_sync.chunks
  set state = 'dispatched',
      attempts = attempts + 1,
      command_id = p_command_id,
      invoke_id = p_invoke_id,
      instance_id = p_instance_id,
      dispatched_at = now(),
      running_at = null,
      updated_at = now()
  where run_id = p_run_id and chunk_no = p_chunk_no and state = 'ready'
  returning * into v;

  update vector_sync.runs
  set state = 'dispatched', dispatched_at = now()
  where run_id = p_run_id and state = 'chunked';
  return v;
end
$$;

create function vector_sync.mark_chunk_running(p_run_id uuid, p_chunk_no integer, p_command_id text default null)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
begin
  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if p_command_id is not null and v.command_id is distinct from p_command_id then
    raise exception 'command % is not the current attempt of chunk % of run % (%)', p_command_id, p_chunk_no, p_run_id,
      coalesce(v.command_id, 'none')
      using errcode = '55000';
  end if;
  if v.state in ('running', 'succeeded', 'failed') then
    return v;
  end if;
  if v.state <> 'dispatched' then
    raise exception 'chunk % of run % is %, not dispatched', p_chunk_no, p_run_id, v.state using errcode = '55000';
  end if;

  update vector_sync.chunks
  set state = 'running', running_at = now(), updated_at = now()
  where run_id = p_run_id and chunk_no = p_chunk_no and state = 'dispatched'
  returning * into v;
  return v;
end
$$;

create function vector_sync.finish_chunk(
  p_run_id uuid,
  p_chunk_no integer,
  p_succeeded boolean,
  p_result jsonb,
  p_error text,
  p_command_id text default null
)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
  bad_key text;
begin
  if p_succeeded is null then
    raise exception 'succeeded must be true or false' using errcode = '22023';
  end if;
  if p_result is not null then
    if pg_catalog.jsonb_typeof(p_result) <> 'object' then
      raise exception 'result must be a JSON object of counts' using errcode = '22023';
    end if;
    select k.key into bad_key
    from unnest(array['upserted', 'deleted', 'skipped', 'rejected', 'failed']) as k(key)
    where p_result operator(pg_catalog.?) k.key
      and not (
        pg_catalog.jsonb_typeof(p_result -> k.key) = 'number'
        and (p_result ->> k.key) ~ '^[0-9]+$'
      )
    limit 1;
    if bad_key is not null then
      raise exception 'result.% must be a whole number of 0 or more, not %', bad_key, p_result -> bad_key
        using errcode = '22023';
    end if;
  end if;

  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if p_command_id is not null and v.command_id is distinct from p_command_id then
    raise exception 'command % is not the current attempt of chunk % of run % (%)', p_command_id, p_chunk_no, p_run_id,
      coalesce(v.command_id, 'none')
      using errcode = '55000';
  end if;
  if v.state in ('succeeded', 'failed') then
    return v;
  end if;
  if v.state not in ('dispatched', 'running') then
    raise exception 'chunk % of run % is %; only a dispatched or running chunk can finish', p_chunk_no, p_run_id, v.state
      using errcode = '55000';
  end if;

  update vector_sync.chunks
  set state = case when p_succeeded then 'succeeded' else 'failed' end,
      result = p_result,
      error = case when p_succeeded then p_error else coalesce(p_error, 'chunk failed') end,
      finished_at = now(),
      updated_at = now()
  where run_id = p_run_id and chunk_no = p_chunk_no and state in ('dispatched', 'running')
  returning * into v;
  return v;
end
$$;

create function vector_sync.requeue_chunk(p_run_id uuid, p_chunk_no integer, p_reason text, p_max_attempts integer)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
begin
  if p_max_attempts is null or p_max_attempts < 1 then
    raise exception 'max attempts must be 1 or more, not %', coalesce(p_max_attempts::text, 'null') using errcode = '22023';
  end if;
  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  -- Already requeued or already final: another reconcile pass got there first.
  if v.state not in ('dispatched', 'running') then
    return v;
  end if;

  if v.attempts < p_max_attempts then
    -- Forget the lost attempt's ids, so that a late report from it is recognised as stale.
    update vector_sync.chunks
    set state = 'ready',
        error = p_reason,
        command_id = null,
        invoke_id = null,
        instance_id = null,
        dispatched_at = null,
        running_at = null,
        updated_at = now()
    where run_id = p_run_id and chunk_no = p_chunk_no and state in ('dispatched', 'running')
    returning * into v;
  else
    update vector_sync.chunks
    set state = 'failed',
        error = pg_catalog.format('%s (gave up after %s attempts)', coalesce(p_reason, 'chunk went silent'), v.attempts),
        finished_at = now(),
        updated_at = now()
    where run_id = p_run_id and chunk_no = p_chunk_no and state in ('dispatched', 'running')
    returning * into v;
  end if;
  return v;
end
$$;

create function vector_sync.silent_chunks(p_older_than interval, p_limit integer default 100)
returns setof vector_sync.chunks
language sql
stable
set search_path = ''
as $$
  select c.*
  from vector_sync.chunks as c
  where c.state in ('dispatched', 'running')
    and c.dispatched_at < now() - p_older_than
  order by c.dispatched_at, c.run_id, c.chunk_no
  limit p_limit;
$$;

create function vector_sync.chunk_for_command(p_command_id text)
returns vector_sync.chunks
language sql
stable
set search_path = ''
as $$
  select c.* from vector_sync.chunks as c where c.command_id = p_command_id limit 1;
$$;

create function vector_sync.complete_run(p_run_id uuid)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
  open_chunks integer;
  failed_chunks integer;
  first_error text;
  total_chunks integer;
begin
  -- The lock serialises the collect-stats calls of the last chunks: one of them completes the run.
  select * into v from vector_sync.runs where run_id = p_run_id for update;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  if v.state in ('completed', 'failed', 'accepted') then
    return v;
  end if;
  if v.state = 'chunked' and v.chunk_count > 0 then
    return v;
  end if;

  select
    count(*) filter (where c.state not in ('succeeded', 'failed')),
    count(*) filter (where c.state = 'failed'),
    count(*)
  into open_chunks, failed_chunks, total_chunks
  from vector_sync.chunks as c
  where c.run_id = p_run_id;
  if open_chunks > 0 then
    return v;
  end if;

  select pg_catalog.format('chunk %s: %s', c.chunk_no, c.error) into first_error
  from vector_sync.chunks as c
  where c.run_id = p_run_id and c.state = 'failed'
  order by c.chunk_no
  limit 1;

  update vector_sync.runs as r
  set upserted = s.upserted,
      deleted = s.deleted,
      skipped = s.skipped,
      rejected = s.rejected,
      failed = s.failed,
      state = case when failed_chunks = 0 then 'completed' else 'failed' end,
      completed_at = case when failed_chunks = 0 then now() end,
      failed_at = case when failed_chunks = 0 then null else now() end,
      error = case
        when failed_chunks = 0 then null
        else pg_catalog.format('%s of %s chunk(s) failed; first %s', failed_chunks, total_chunks, first_error)
      end
  from (
    select
      coalesce(sum((c.result ->> 'upserted')::bigint), 0) as upserted,
      coalesce(sum((c.result ->> 'deleted')::bigint), 0) as deleted,
      coalesce(sum((c.result ->> 'skipped')::bigint), 0) as skipped,
      coalesce(sum((c.result ->> 'rejected')::bigint), 0) as rejected,
      coalesce(sum((c.result ->> 'failed')::bigint), 0) as failed
    from vector_sync.chunks as c
    where c.run_id = p_run_id
  ) as s
  where r.run_id = p_run_id and r.state in ('chunked', 'dispatched')
  returning r.* into v;
  return v;
end
$$;

create function vector_sync.mark_report_sent(p_run_id uuid, p_message_id text)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  run_state text;
begin
  update vector_sync.runs
  set report_sent_at = now(), report_message_id = p_message_id
  where run_id = p_run_id and report_sent_at is null and state in ('completed', 'failed');
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

create function vector_sync.record_items(p_run_id uuid, p_document_ids text[], p_op text, p_outcome text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_op text;
  run_state text;
  written integer;
  strangers integer;
begin
  if p_op is not null and p_op not in ('upsert', 'delete') then
    raise exception 'op must be upsert or delete, not %', p_op using errcode = '22023';
  end if;
  if p_outcome is not null and p_outcome not in ('upserted', 'deleted', 'skipped', 'rejected', 'failed') then
    raise exception 'outcome must be upserted, deleted, skipped, rejected or failed, not %', p_outcome
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_document_ids);

  select r.op, r.state into v_op, run_state from vector_sync.runs as r where r.run_id = p_run_id;
  if not found then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  if run_state in ('completed', 'failed') then
    raise exception 'run % is %; its items are final', p_run_id, run_state using errcode = '55000';
  end if;

  if v_op = 'sync' then
    -- A sync run's documents are the ones its event named.
    select count(*) into strangers
    from (select distinct t.id from unnest(p_document_ids) as t(id)) as d
    where not exists (
      select 1 from vector_sync.run_items as i where i.run_id = p_run_id and i.document_id = d.id
    );
    if strangers > 0 then
      raise exception '% document id(s) are not items of sync run %', strangers, p_run_id using errcode = '22023';
    end if;
  end if;

  -- rebuild and verify discover their documents as they go: record the ones they touch.
  insert into vector_sync.run_items as i (run_id, document_id, op, outcome)
  select distinct p_run_id, t.id, p_op, p_outcome from unnest(p_document_ids) as t(id)
  on conflict (run_id, document_id) do update
  set op = excluded.op, outcome = excluded.outcome, updated_at = now();
  get diagnostics written = row_count;
  return written;
end
$$;

create function vector_sync.record_rejection(
  p_run_id uuid,
  p_chunk_no integer,
  p_document_id text,
  p_reason text,
  p_detail text
)
returns vector_sync.rejections
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.rejections;
begin
  if p_reason is null or p_reason not in (
    'EmptyBatch', 'TooManyVectors', 'DuplicateKey', 'InvalidKey', 'DimensionMismatch', 'NonFiniteValue',
    'ZeroVectorOnCosine', 'MetadataTooLarge', 'TooManyMetadataKeys', 'InvalidMetadataValue', 'TooManyKeys',
    'InvalidTopK', 'FilterTooLarge', 'InvalidArgument'
  ) then
    raise exception 'rejection reason % is not one of the OSS Vectors ValidationReasons', coalesce(p_reason, 'null')
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(array[p_document_id]);
  if not exists (select 1 from vector_sync.runs as r where r.run_id = p_run_id) then
    raise exception 'run % does not exist', p_run_id using errcode = 'P0002';
  end if;
  if p_chunk_no is not null
    and not exists (select 1 from vector_sync.chunks as c where c.run_id = p_run_id and c.chunk_no = p_chunk_no)
  then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;

  -- The first reason recorded for a document in a run stands; a retried chunk does not add another.
  insert into vector_sync.rejections (run_id, document_id, chunk_no, reason, detail)
  values (p_run_id, p_document_id, p_chunk_no, p_reason, p_detail)
  on conflict (run_id, document_id) do nothing
  returning * into v;
  if not found then
    select * into strict v from vector_sync.rejections where run_id = p_run_id and document_id = p_document_id;
  end if;
  return v;
end
$$;

create function vector_sync.upsert_index_state(p_index_name text, p_document_ids text[], p_content_hashes text[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_index_state text;
  written integer;
begin
  if coalesce(pg_catalog.cardinality(p_document_ids), 0) <> coalesce(pg_catalog.cardinality(p_content_hashes), 0)
    or pg_catalog.array_ndims(p_document_ids) > 1
    or pg_catalog.array_ndims(p_content_hashes) > 1
  then
    raise exception 'document ids (%) and content hashes (%) must be one-dimensional arrays of equal length',
      coalesce(pg_catalog.cardinality(p_document_ids), 0), coalesce(pg_catalog.cardinality(p_content_hashes), 0)
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_document_ids);
  if exists (select 1 from unnest(p_content_hashes) as h(hash) where h.hash is null or h.hash !~ '^[0-9a-f]{64}$') then
    raise exception 'content hashes must be 64 lower-case hex characters (SHA-256)' using errcode = '22023';
  end if;
  select i.state into v_index_state from vector_sync.indexes as i where i.index_name = p_index_name;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v_index_state = 'dropped' then
    raise exception 'index % is dropped', p_index_name using errcode = '55000';
  end if;

  -- The last hash given for an id wins (ON CONFLICT cannot touch a row twice in one statement).
  insert into vector_sync.index_state as s (index_name, document_id, content_hash, synced_at)
  select distinct on (t.id) p_index_name, t.id, t.hash, now()
  from unnest(p_document_ids, p_content_hashes) with ordinality as t(id, hash, ord)
  order by t.id, t.ord desc
  on conflict (index_name, document_id) do update
  set content_hash = excluded.content_hash, synced_at = excluded.synced_at;
  get diagnostics written = row_count;
  return written;
end
$$;

create function vector_sync.delete_index_state(p_index_name text, p_document_ids text[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  removed integer;
begin
  perform vector_sync.check_document_ids(p_document_ids);
  if not exists (select 1 from vector_sync.indexes as i where i.index_name = p_index_name) then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  delete from vector_sync.index_state as s
  where s.index_name = p_index_name and s.document_id = any (p_document_ids);
  get diagnostics removed = row_count;
  return removed;
end
$$;

create function vector_sync.index_stats(p_index_name text)
returns table (total_vectors bigint, last_synced_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select count(*), max(s.synced_at) from vector_sync.index_state as s where s.index_name = p_index_name;
$$;

-- Only the owner (SUPABASE_DB_URL) runs these.
revoke execute on function
  vector_sync.check_document_ids(text[]),
  vector_sync.register_index(text, text, text, integer, text),
  vector_sync.activate_index(text),
  vector_sync.mark_index_dropped(text),
  vector_sync.active_index(text),
  vector_sync.open_run(text, text, text, text[], text),
  vector_sync.fail_run(uuid, text),
  vector_sync.add_chunk(uuid, integer, jsonb),
  vector_sync.mark_run_chunked(uuid, integer),
  vector_sync.mark_chunk_dispatched(uuid, integer, text, text, text),
  vector_sync.mark_chunk_running(uuid, integer, text),
  vector_sync.finish_chunk(uuid, integer, boolean, jsonb, text, text),
  vector_sync.requeue_chunk(uuid, integer, text, integer),
  vector_sync.silent_chunks(interval, integer),
  vector_sync.chunk_for_command(text),
  vector_sync.complete_run(uuid),
  vector_sync.mark_report_sent(uuid, text),
  vector_sync.record_items(uuid, text[], text, text),
  vector_sync.record_rejection(uuid, integer, text, text, text),
  vector_sync.upsert_index_state(text, text[], text[]),
  vector_sync.delete_index_state(text, text[]),
  vector_sync.index_stats(text)
from public, anon, authenticated;

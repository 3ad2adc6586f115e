-- add run params and search runs
--
-- A run keeps what its request asked for beyond op and index (docs/supabase.md, "The ledger"):
-- `params`, a JSON object the worker reads with the run (a verify's `heal`, a search's queries,
-- topK, filter and whether to measure recall). Runs get a fourth op, `search`, whose queries live
-- here rather than in the RunCommand, so nothing from a request reaches the instance's shell.

alter table vector_sync.runs
  add column params jsonb not null default '{}'::jsonb
    constraint runs_params_is_object check (jsonb_typeof(params) = 'object');
comment on column vector_sync.runs.params is
  'What the request asked for beyond op and index: {"heal": bool} for verify; queries, topK, filter, recall for search.';

alter table vector_sync.runs drop constraint runs_op_known;
alter table vector_sync.runs add constraint runs_op_known check (op in ('sync', 'rebuild', 'verify', 'search'));

drop function vector_sync.open_run(text, text, text, text[], text);

create function vector_sync.open_run(
  p_source_event_id text,
  p_op text,
  p_index_name text,
  p_ids text[] default null,
  p_requested_by text default null,
  p_params jsonb default null
)
returns vector_sync.runs
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.runs;
  v_index_state text;
begin
  if p_op is null or p_op not in ('sync', 'rebuild', 'verify', 'search') then
    raise exception 'op must be sync, rebuild, verify or search, not %', coalesce(p_op, 'null') using errcode = '22023';
  end if;
  if p_params is not null and pg_catalog.jsonb_typeof(p_params) <> 'object' then
    raise exception 'params must be a JSON object, not %', pg_catalog.jsonb_typeof(p_params) using errcode = '22023';
  end if;
  if p_op = 'search' and coalesce(pg_catalog.jsonb_typeof(p_params -> 'queries'), '') <> 'array' then
    raise exception 'a search run needs params.queries' using errcode = '22023';
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

    insert into vector_sync.runs (source_event_id, op, index_name, requested_by, params, ids_total)
    values (
      p_source_event_id, p_op, p_index_name, p_requested_by, coalesce(p_params, '{}'::jsonb),
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
comment on function vector_sync.open_run(text, text, text, text[], text, jsonb) is
  'Opens the run of an event (a redelivery finds the same run) with its ids and params.';
revoke execute on function vector_sync.open_run(text, text, text, text[], text, jsonb) from public, anon, authenticated;

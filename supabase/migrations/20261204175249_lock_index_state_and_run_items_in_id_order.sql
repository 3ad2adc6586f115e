-- lock index state and run items in id order
--
-- Two chunks (or two attempts of one chunk) that write rows of overlapping document ids must lock
-- them in one order, or each can hold a row the other waits for: a deadlock (40P01), which fails
-- the worker's chunk. On a real server (tests/concurrency/index-state.test.ts):
-- - upsert_index_state already went in id order (DISTINCT ON ... ORDER BY id), but
--   delete_index_state deleted in the order of its plan (a bitmap scan: heap order): an upsert
--   and a delete of overlapping ids deadlocked.
-- - record_items inserted or updated its rows in the order of SELECT DISTINCT, a hash order that
--   differs between two different id sets: two attempts recording overlapping ids deadlocked.
-- Both now go in document id order, the order upsert_index_state uses. Nothing else changes.

create or replace function vector_sync.delete_index_state(p_index_name text, p_document_ids text[])
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
  -- Lock in id order first (the locking clause runs above the sort), then delete what was locked.
  with doomed as (
    select s.document_id
    from vector_sync.index_state as s
    where s.index_name = p_index_name and s.document_id = any (p_document_ids)
    order by s.document_id
    for update
  )
  delete from vector_sync.index_state as s
  using doomed as d
  where s.index_name = p_index_name and s.document_id = d.document_id;
  get diagnostics removed = row_count;
  return removed;
end
$$;

create or replace function vector_sync.record_items(p_run_id uuid, p_document_ids text[], p_op text, p_outcome text)
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

  -- rebuild and verify discover their documents as they go: record the ones they touch. In id
  -- order, so that two chunks recording overlapping ids lock them in one order.
  insert into vector_sync.run_items as i (run_id, document_id, op, outcome)
  select distinct p_run_id, t.id, p_op, p_outcome from unnest(p_document_ids) as t(id)
  order by t.id
  on conflict (run_id, document_id) do update
  set op = excluded.op, outcome = excluded.outcome, updated_at = now();
  get diagnostics written = row_count;
  return written;
end
$$;

revoke execute on function
  vector_sync.delete_index_state(text, text[]),
  vector_sync.record_items(uuid, text[], text, text)
from public, anon, authenticated;

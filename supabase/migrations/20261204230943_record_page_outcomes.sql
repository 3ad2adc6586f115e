-- record page outcomes
--
-- The worker recorded a page's rejections one statement per row (record_rejection) and its run
-- items one statement per outcome (record_items), between the reads and writes of the page. Now it
-- records what it decided for a page (or what one write batch did) in one statement:
--   record_outcomes(p_run_id uuid, p_chunk_no integer, p_document_ids text[], p_ops text[],
--                   p_outcomes text[], p_reasons text[], p_details text[]) returns integer
-- sets each document's op and outcome in run_items (as record_items does, with the same checks)
-- and, for those with a reason, adds the rejection (as record_rejection does: the first reason
-- recorded for a document in a run stands). Rows are written in document id order, the lock order
-- of record_items and upsert_index_state, so two attempts of a chunk cannot deadlock. Returns the
-- number of run items written.

create function vector_sync.record_outcomes(
  p_run_id uuid,
  p_chunk_no integer,
  p_document_ids text[],
  p_ops text[],
  p_outcomes text[],
  p_reasons text[],
  p_details text[]
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  n integer := coalesce(pg_catalog.cardinality(p_document_ids), 0);
  v_op text;
  run_state text;
  strangers integer;
  written integer;
begin
  if coalesce(pg_catalog.cardinality(p_ops), 0) <> n
    or coalesce(pg_catalog.cardinality(p_outcomes), 0) <> n
    or coalesce(pg_catalog.cardinality(p_reasons), 0) <> n
    or coalesce(pg_catalog.cardinality(p_details), 0) <> n
    or pg_catalog.array_ndims(p_document_ids) > 1
  then
    raise exception 'document ids, ops, outcomes, reasons and details must be one-dimensional arrays of one length'
      using errcode = '22023';
  end if;
  if n = 0 then
    return 0;
  end if;
  if exists (select 1 from unnest(p_ops) as t(op) where t.op is null or t.op not in ('upsert', 'delete')) then
    raise exception 'every op must be upsert or delete' using errcode = '22023';
  end if;
  if exists (
    select 1 from unnest(p_outcomes) as t(outcome)
    where t.outcome is null or t.outcome not in ('upserted', 'deleted', 'skipped', 'rejected', 'failed')
  ) then
    raise exception 'every outcome must be upserted, deleted, skipped, rejected or failed' using errcode = '22023';
  end if;
  if exists (
    select 1 from unnest(p_outcomes, p_reasons) as t(outcome, reason)
    where t.reason is not null and (t.outcome <> 'rejected' or t.reason not in (
      'EmptyBatch', 'TooManyVectors', 'DuplicateKey', 'InvalidKey', 'DimensionMismatch', 'NonFiniteValue',
      'ZeroVectorOnCosine', 'MetadataTooLarge', 'TooManyMetadataKeys', 'InvalidMetadataValue', 'TooManyKeys',
      'InvalidTopK', 'FilterTooLarge', 'InvalidArgument'
    ))
  ) then
    raise exception 'a reason goes with the outcome rejected and is one of the OSS Vectors ValidationReasons'
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
  if p_chunk_no is not null
    and not exists (select 1 from vector_sync.chunks as c where c.run_id = p_run_id and c.chunk_no = p_chunk_no)
  then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if v_op = 'sync' then
    -- A sync run's documents are the ones its event named.
    select count(*) into strangers
    from (select distinct t.id from unnest(p_document_ids) as t(id)) as d
    where not exists (select 1 from vector_sync.run_items as i where i.run_id = p_run_id and i.document_id = d.id);
    if strangers > 0 then
      raise exception '% document id(s) are not items of sync run %', strangers, p_run_id using errcode = '22023';
    end if;
  end if;

  -- The first reason recorded for a document in a run stands; a retried chunk does not add another.
  insert into vector_sync.rejections (run_id, document_id, chunk_no, reason, detail)
  select distinct on (t.id) p_run_id, t.id, p_chunk_no, t.reason, t.detail
  from unnest(p_document_ids, p_reasons, p_details) with ordinality as t(id, reason, detail, ord)
  where t.reason is not null
  order by t.id, t.ord
  on conflict (run_id, document_id) do nothing;

  -- The last op and outcome given for an id win (ON CONFLICT cannot touch a row twice in one statement).
  insert into vector_sync.run_items as i (run_id, document_id, op, outcome)
  select distinct on (t.id) p_run_id, t.id, t.op, t.outcome
  from unnest(p_document_ids, p_ops, p_outcomes) with ordinality as t(id, op, outcome, ord)
  order by t.id, t.ord desc
  on conflict (run_id, document_id) do update
  set op = excluded.op, outcome = excluded.outcome, updated_at = now();
  get diagnostics written = row_count;
  return written;
end
$$;

revoke execute on function vector_sync.record_outcomes(uuid, integer, text[], text[], text[], text[], text[])
from public, anon, authenticated;

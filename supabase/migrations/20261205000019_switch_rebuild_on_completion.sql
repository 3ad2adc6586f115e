-- switch rebuild on completion
--
-- A rebuild's last chunk used to be recorded succeeded before the worker checked the new
-- generation and switched to it; when the worker died or lost the ledger between the two, the run
-- still completed (every chunk had succeeded) with its generation building and the old one active,
-- and nothing retried the switch-over (found by the chaos run, issue 17 C / issue 19). complete_run
-- now switches a rebuild's generation in the transaction that completes the run. And an embedding
-- written while the rebuild ran, into a key range it had already loaded, by a sync that did not
-- see the generation yet, made the worker's check fail (its fail_run was refused, so the rebuild
-- ended completed on the old generation): such embeddings are now queued for a sync
-- (queue_missing_from), which writes them into the new generation once it is active.

create function vector_sync.queue_missing_from(p_index_name text, p_run_id uuid)
returns integer
language sql
volatile
set search_path = ''
as $$
  select vector_sync.send_unless_waiting('vector_sync', array(
    select e.document_id::text
    from public.document_embeddings as e
    where not exists (select 1 from vector_sync.index_state as s where s.index_name = p_index_name and s.document_id = e.document_id::text)
      and not exists (select 1 from vector_sync.rejections as j where j.run_id = p_run_id and j.document_id = e.document_id::text)
    order by e.document_id
  ));
$$;
comment on function vector_sync.queue_missing_from(text, uuid) is
  'Queues for a sync every embedding a rebuilt generation lacks (but those its run rejected); answers how many were queued.';
revoke execute on function vector_sync.queue_missing_from(text, uuid) from public, anon, authenticated;

create or replace function vector_sync.complete_run(p_run_id uuid)
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

  -- A rebuild is done when its generation is: switched to in the same transaction as the run's
  -- completion, so a worker that dies (or loses its connection) between recording its last chunk
  -- and the switch-over cannot leave a completed rebuild whose generation stays building. The
  -- worker still switches at once when it can (both are idempotent); it then drops the retired
  -- generation's OSS index. Every chunk succeeded, so an embedding the generation lacks was written
  -- after its key range had been loaded, by a sync that did not see the generation yet: it is queued
  -- for a sync, which writes it into the (now active) generation.
  if v.op = 'rebuild' and v.state = 'completed' and (select i.state from vector_sync.indexes as i where i.index_name = v.index_name) = 'building' then
    perform vector_sync.queue_missing_from(v.index_name, v.run_id);
    perform vector_sync.activate_index(v.index_name);
  end if;
  return v;
end
$$;

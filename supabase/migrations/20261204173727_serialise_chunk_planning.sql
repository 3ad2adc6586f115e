-- serialise chunk planning
--
-- chunk records a run's plan in one transaction: add_chunk for every chunk, then mark_run_chunked
-- (shared/domain/chunk.ts). When copies of one run.accepted reached chunk at the same instant
-- (tests/concurrency/runs-deliveries.test.ts), each transaction took a FOR SHARE lock on the run in
-- add_chunk; the first then waited in mark_run_chunked for FOR UPDATE on the run (blocked by the
-- others' share locks) while the others waited on the first's uncommitted chunk row: a deadlock.
-- PostgreSQL broke it by aborting all but one copy (40P01), each after deadlock_timeout, and those
-- deliveries were retried.
--
-- add_chunk now takes the same lock as mark_run_chunked (FOR UPDATE on the run), so a lock is never
-- upgraded inside one plan: the second copy waits at its first add_chunk until the first commits,
-- then finds the chunks it would add and the run chunked, and answers them as they are.
-- The single-session contract is unchanged.

create or replace function vector_sync.add_chunk(p_run_id uuid, p_chunk_no integer, p_selector jsonb)
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

  -- The lock mark_run_chunked takes too: one plan of a run is recorded at a time.
  select r.state into run_state from vector_sync.runs as r where r.run_id = p_run_id for update;
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

revoke execute on function vector_sync.add_chunk(uuid, integer, jsonb) from public, anon, authenticated;

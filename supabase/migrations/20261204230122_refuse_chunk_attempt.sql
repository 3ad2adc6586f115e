-- refuse chunk attempt
--
-- dispatch plans a chunk's attempt on an instance (taking one of the pool's slots) before it calls
-- RunCommand. When RunCommand refuses the command for good (a parameter or the script the cloud
-- will never take, a missing permission), the chunk stayed ready holding its slot: reconcile
-- published its chunk.ready again every READY_STALE_SECONDS and dispatch was refused again, for
-- ever, and a few such chunks could hold every slot of the pool. This ends the attempt instead:
-- the chunk fails with the refusal as its reason (counted as an attempt), which frees its slot,
-- and the run closes as failed and is reported. Only the attempt that was planned is refused; a
-- chunk that moved on meanwhile is returned as it is.

create function vector_sync.refuse_chunk_attempt(p_run_id uuid, p_chunk_no integer, p_attempt integer, p_reason text)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
begin
  if p_attempt is null or p_attempt < 1 then
    raise exception 'attempt must be 1 or more, not %', coalesce(p_attempt::text, 'null') using errcode = '22023';
  end if;
  if p_reason is null or btrim(p_reason) = '' then
    raise exception 'a refused attempt needs its reason' using errcode = '22023';
  end if;
  select * into v from vector_sync.chunks as c where c.run_id = p_run_id and c.chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if v.state <> 'ready' or v.attempts <> p_attempt - 1 then
    return v;
  end if;
  update vector_sync.chunks as c
  set state = 'failed',
      attempts = p_attempt,
      error = pg_catalog.left(p_reason, 2000),
      instance_id = null,
      finished_at = now(),
      updated_at = now()
  where c.run_id = p_run_id and c.chunk_no = p_chunk_no
  returning * into v;
  return v;
end
$$;
comment on function vector_sync.refuse_chunk_attempt(uuid, integer, integer, text) is
  'Fails a ready chunk whose planned attempt RunCommand refused for good, with the reason, freeing its slot.';
revoke execute on function vector_sync.refuse_chunk_attempt(uuid, integer, integer, text) from public, anon, authenticated;

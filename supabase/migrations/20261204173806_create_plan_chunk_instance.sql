-- create plan chunk instance
--
-- dispatch sends a ready chunk to a worker instance with RunCommand, under a ClientToken made of the
-- run, the chunk, the attempt and the instance, so that a redelivered chunk.ready gets the first
-- invocation back instead of a second run. The instance is the least loaded of the pool (chunks in
-- flight, read from the ledger). When copies of one chunk.ready reached dispatch at the same
-- instant (tests/concurrency/runs-deliveries.test.ts), a copy that read the load just after a faster
-- copy had recorded its dispatch saw that instance busier, chose another one and sent a second
-- RunCommand under another token: the chunk ran twice, on two instances, and the slow copy's record
-- was refused (the chunk was no longer ready) and its event parked.
--
-- Now the first copy chooses and the others follow. A ready chunk's instance_id holds the instance
-- its next attempt goes to (once dispatched it is the current attempt's instance, as before, and
-- requeue_chunk still clears it for the attempt after), so every copy sends the same token:
--   plan_chunk_instance(p_run_id uuid, p_chunk_no int, p_attempt int, p_instance_id text,
--                       p_instead_of text default null) returns text
--     while the chunk is ready for attempt p_attempt (attempts = p_attempt - 1): plans p_instance_id
--     when no instance is planned yet, or when the planned one is p_instead_of (it could not take
--     the command), and returns the planned instance, which may be another copy's choice; null once
--     the chunk is no longer ready for that attempt (another copy has dispatched it).

create function vector_sync.plan_chunk_instance(
  p_run_id uuid,
  p_chunk_no integer,
  p_attempt integer,
  p_instance_id text,
  p_instead_of text default null
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
begin
  if p_attempt is null or p_attempt < 1 then
    raise exception 'attempt must be 1 or more, not %', coalesce(p_attempt::text, 'null') using errcode = '22023';
  end if;
  if p_instance_id is null then
    raise exception 'an attempt is planned on an instance: the instance id is missing' using errcode = '22023';
  end if;
  -- The row lock makes the copies take turns: the first plans, the others read its plan.
  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if v.state <> 'ready' or v.attempts <> p_attempt - 1 then
    return null;
  end if;

  if v.instance_id is null or v.instance_id = p_instead_of then
    update vector_sync.chunks
    set instance_id = p_instance_id, updated_at = now()
    where run_id = p_run_id and chunk_no = p_chunk_no and state = 'ready'
    returning * into v;
  end if;
  return v.instance_id;
end
$$;

revoke execute on function vector_sync.plan_chunk_instance(uuid, integer, integer, text, text) from public, anon, authenticated;

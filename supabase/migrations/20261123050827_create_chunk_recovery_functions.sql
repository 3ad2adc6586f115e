-- create chunk recovery functions
--
-- What collect-stats and reconcile need to recover a chunk whose attempt was lost:
--   requeue_chunk_attempt(p_run_id uuid, p_chunk_no int, p_command_id text, p_reason text, p_max_attempts int)
--     returns vector_sync.chunks                  requeue_chunk, but only while p_command_id is still the
--                                                 chunk's current attempt: a late or duplicated report of an
--                                                 older attempt leaves the current attempt alone (row unchanged)
--   touch_stale_ready_chunks(p_older_than interval, p_limit int default 100) returns setof vector_sync.chunks
--                                                 chunks left in 'ready' (their chunk.ready was lost) of runs
--                                                 that are chunked or dispatched, untouched for p_older_than;
--                                                 their updated_at is set to now(), so the next pass waits
--                                                 p_older_than again before it resends them

create function vector_sync.requeue_chunk_attempt(
  p_run_id uuid,
  p_chunk_no integer,
  p_command_id text,
  p_reason text,
  p_max_attempts integer
)
returns vector_sync.chunks
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.chunks;
begin
  if p_command_id is null then
    raise exception 'the attempt to requeue needs its command id' using errcode = '22023';
  end if;
  select * into v from vector_sync.chunks where run_id = p_run_id and chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if v.command_id is distinct from p_command_id then
    return v;
  end if;
  return vector_sync.requeue_chunk(p_run_id, p_chunk_no, p_reason, p_max_attempts);
end
$$;

create function vector_sync.touch_stale_ready_chunks(p_older_than interval, p_limit integer default 100)
returns setof vector_sync.chunks
language plpgsql
set search_path = ''
as $$
begin
  if p_older_than is null or p_limit is null or p_limit < 1 then
    raise exception 'touch_stale_ready_chunks needs an interval and a limit of 1 or more' using errcode = '22023';
  end if;
  return query
  update vector_sync.chunks as c
  set updated_at = now()
  from (
    select s.run_id, s.chunk_no
    from vector_sync.chunks as s
    join vector_sync.runs as r on r.run_id = s.run_id
    where s.state = 'ready'
      and r.state in ('chunked', 'dispatched')
      and s.updated_at <= now() - p_older_than
    order by s.updated_at, s.run_id, s.chunk_no
    limit p_limit
    for update of s skip locked
  ) as stale
  where c.run_id = stale.run_id and c.chunk_no = stale.chunk_no and c.state = 'ready'
  returning c.*;
end
$$;

revoke execute on function
  vector_sync.requeue_chunk_attempt(uuid, integer, text, text, integer),
  vector_sync.touch_stale_ready_chunks(interval, integer)
from public, anon, authenticated;

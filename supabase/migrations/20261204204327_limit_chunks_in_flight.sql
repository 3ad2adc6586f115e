-- limit chunks in flight
--
-- dispatch used to send every ready chunk to the instance pool at once: a run of 40 chunks started
-- 40 workers on two instances. Now at most MAX_CHUNKS_IN_FLIGHT chunks are in flight across the
-- pool (all runs, all indexes), and the slot is taken here, in the ledger, so that copies of one
-- chunk.ready and the chunks of several runs dispatched at the same instant can never exceed it
-- (tests/concurrency/chunk-slots.test.ts).
--
-- A chunk holds a slot while it is dispatched or running, and while it is ready with its next
-- attempt planned on an instance (dispatch has taken the slot but not yet recorded its RunCommand).
-- A planned attempt of a run that is no longer open holds none.
--
--   chunk_slots_taken() returns integer
--     the slots held now.
--   plan_chunk_instance(p_run_id uuid, p_chunk_no int, p_attempt int, p_instance_id text,
--                       p_max_in_flight int, p_instead_of text default null,
--                       out outcome text, out instance_id text)
--     replaces the function of 20261204173806 (one more argument, one more answer). While the chunk
--     is ready for attempt p_attempt: an attempt already planned keeps its slot and its instance
--     (moved to p_instance_id only off p_instead_of), outcome 'planned'; an attempt not yet planned
--     takes a slot and is planned on p_instance_id ('planned') unless p_max_in_flight slots are
--     held already ('deferred', instance_id null: the chunk stays ready and waits). 'gone' once the
--     chunk is no longer ready for that attempt. Slot claims are serialised by a transaction-level
--     advisory lock, so the count a claim reads includes every claim committed before it.
--   next_waiting_chunks(p_max_in_flight int) returns setof vector_sync.chunks
--     the chunks that would get the free slots now: ready, no attempt planned, of a chunked or
--     dispatched run, oldest first (run accepted_at, run, chunk_no), at most p_max_in_flight minus
--     the slots taken. The settlers (collect-stats, reconcile) and chunk publish chunk.ready for
--     them; a chunk announced twice is harmless (dispatch takes its slot once, or defers it).
--   touch_stale_ready_chunks(p_older_than interval, p_limit int default 100)
--     now resends only ready chunks that hold a slot (a planned attempt whose dispatch died): a
--     chunk waiting for a slot is announced by next_waiting_chunks when one frees, so it is no
--     longer re-announced every period only to be deferred.

create function vector_sync.chunk_slots_taken()
returns integer
language sql
stable
set search_path = ''
as $$
  select (
    (select pg_catalog.count(*) from vector_sync.chunks as c where c.state in ('dispatched', 'running'))
    + (
      select pg_catalog.count(*)
      from vector_sync.chunks as c
      join vector_sync.runs as r on r.run_id = c.run_id
      where c.state = 'ready' and c.instance_id is not null and r.state in ('chunked', 'dispatched')
    )
  )::integer;
$$;

-- The counts above and next_waiting_chunks read these; without them each claim scans every chunk
-- the ledger ever held.
create index chunks_ready_planned on vector_sync.chunks (run_id) where state = 'ready' and instance_id is not null;
create index chunks_ready_waiting on vector_sync.chunks (run_id, chunk_no) where state = 'ready' and instance_id is null;

drop function vector_sync.plan_chunk_instance(uuid, integer, integer, text, text);

create function vector_sync.plan_chunk_instance(
  p_run_id uuid,
  p_chunk_no integer,
  p_attempt integer,
  p_instance_id text,
  p_max_in_flight integer,
  p_instead_of text default null,
  out outcome text,
  out instance_id text
)
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
  if p_max_in_flight is null or p_max_in_flight < 1 then
    raise exception 'max chunks in flight must be 1 or more, not %', coalesce(p_max_in_flight::text, 'null') using errcode = '22023';
  end if;
  -- The row lock makes copies of one chunk.ready take turns: the first plans, the others read its plan.
  select * into v from vector_sync.chunks as c where c.run_id = p_run_id and c.chunk_no = p_chunk_no for update;
  if not found then
    raise exception 'chunk % of run % does not exist', p_chunk_no, p_run_id using errcode = 'P0002';
  end if;
  if v.state <> 'ready' or v.attempts <> p_attempt - 1 then
    outcome := 'gone';
    return;
  end if;

  if v.instance_id is null then
    -- A new claim: one at a time across the pool, so each counts the claims made before it. The
    -- key is this project's constant for slot claims; the lock ends with the transaction.
    perform pg_catalog.pg_advisory_xact_lock(7357013);
    if vector_sync.chunk_slots_taken() >= p_max_in_flight then
      outcome := 'deferred';
      return;
    end if;
  end if;

  if v.instance_id is null or v.instance_id = p_instead_of then
    update vector_sync.chunks as c
    set instance_id = p_instance_id, updated_at = now()
    where c.run_id = p_run_id and c.chunk_no = p_chunk_no and c.state = 'ready'
    returning * into v;
  end if;
  outcome := 'planned';
  instance_id := v.instance_id;
end
$$;

create function vector_sync.next_waiting_chunks(p_max_in_flight integer)
returns setof vector_sync.chunks
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_max_in_flight is null or p_max_in_flight < 1 then
    raise exception 'max chunks in flight must be 1 or more, not %', coalesce(p_max_in_flight::text, 'null') using errcode = '22023';
  end if;
  return query
  select c.*
  from vector_sync.chunks as c
  join vector_sync.runs as r on r.run_id = c.run_id
  where c.state = 'ready' and c.instance_id is null and r.state in ('chunked', 'dispatched')
  order by r.accepted_at, r.run_id, c.chunk_no
  limit greatest(p_max_in_flight - vector_sync.chunk_slots_taken(), 0);
end
$$;

create or replace function vector_sync.touch_stale_ready_chunks(p_older_than interval, p_limit integer default 100)
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
      and s.instance_id is not null
      and r.state in ('chunked', 'dispatched')
      and s.updated_at <= now() - p_older_than
    order by s.updated_at, s.run_id, s.chunk_no
    limit p_limit
    for update of s skip locked
  ) as stale
  where c.run_id = stale.run_id and c.chunk_no = stale.chunk_no and c.state = 'ready' and c.instance_id is not null
  returning c.*;
end
$$;

revoke execute on function
  vector_sync.chunk_slots_taken(),
  vector_sync.plan_chunk_instance(uuid, integer, integer, text, integer, text),
  vector_sync.next_waiting_chunks(integer),
  vector_sync.touch_stale_ready_chunks(interval, integer)
from public, anon, authenticated;

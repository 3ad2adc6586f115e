-- keep one unread message per document
--
-- send_unless_waiting asked "is an unread message for this id waiting?" on its statement's snapshot
-- and sent when it saw none. On a real server (tests/concurrency/) that lost and doubled messages:
--
-- 1. Doubled: two transactions that could not see each other's uncommitted message both sent one
--    (two drift scans at once; a drift scan and an edit of a document whose job was parked).
-- 2. Lost: an edit saw the unread job J waiting and sent nothing; before the edit committed, a
--    drain read J, read the document (still the old content: the edit was not committed), and
--    its compare-and-set write was refused once the edit committed. J was deleted, as a stale
--    job is, and the new content was left with no embedding and no job. The same holds for the
--    vector_sync queue and a sidecar write.
--
-- Now the queue table itself keeps one unread message per id (a unique partial index), and
-- send_unless_waiting inserts with ON CONFLICT: a second sender of the same id waits for the
-- first one's commit instead of missing its message, and a sender that finds an unread message
-- locks it (without writing it) until it commits. pgmq.read skips locked rows (FOR UPDATE SKIP
-- LOCKED), so no drain takes that message before the change it stands for is visible.
--
-- What it costs: a sender waits for an uncommitted send of the same id (only the same id); an
-- application transaction holds the job of each document it edited until it commits (a drain
-- takes it after the commit); a lock on an existing message is a row lock (one WAL record), not a
-- new row. pgmq.send of a second unread message for an id now fails with unique_violation
-- (23505): every sender goes through send_unless_waiting.
--
-- enqueue_drift also share-locks the documents it queues, skipping those an edit holds: the
-- edit's trigger queues them, and drift never waits for a transaction that may be waiting for it.

-- A purge of the duplicates the old function could leave. They are pointers to the same document:
-- the oldest stays. The locks keep new ones out until the unique index exists.
lock table pgmq.q_embedding_jobs, pgmq.q_vector_sync in exclusive mode;

delete from pgmq.q_embedding_jobs as q
where q.read_ct = 0
  and exists (
    select 1 from pgmq.q_embedding_jobs as o
    where o.read_ct = 0 and (o.message ->> 'id') = (q.message ->> 'id') and o.msg_id < q.msg_id
  );
delete from pgmq.q_vector_sync as q
where q.read_ct = 0
  and exists (
    select 1 from pgmq.q_vector_sync as o
    where o.read_ct = 0 and (o.message ->> 'id') = (q.message ->> 'id') and o.msg_id < q.msg_id
  );

-- The same columns and predicate as the indexes they replace, which served the lookups before.
create unique index q_embedding_jobs_one_unread_per_id
  on pgmq.q_embedding_jobs ((message ->> 'id')) where read_ct = 0;
create unique index q_vector_sync_one_unread_per_id
  on pgmq.q_vector_sync ((message ->> 'id')) where read_ct = 0;
drop index pgmq.q_embedding_jobs_unread_document_id;
drop index pgmq.q_vector_sync_unread_document_id;

-- Sends one `{"id": ...}` message per distinct id that has no unread message waiting in the queue;
-- returns how many it sent. A message already read (read_ct > 0) may be in the hands of a worker
-- that has read the old content, so it does not count as waiting.
create or replace function vector_sync.send_unless_waiting(p_queue text, p_ids text[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  sent integer;
begin
  if p_queue not in ('embedding_jobs', 'vector_sync') then
    raise exception 'unknown queue %', p_queue using errcode = '22023';
  end if;
  -- The columns pgmq.send writes (vt, message), in every pgmq version from 1.4 on. Sorted ids:
  -- two senders of overlapping ids wait for each other in one order, so they cannot deadlock.
  execute pg_catalog.format(
    $sql$
      with sent as (
        insert into pgmq.%I as q (vt, message)
        select pg_catalog.clock_timestamp(), pg_catalog.jsonb_build_object('id', t.id)
        from (select distinct u.id from pg_catalog.unnest($1) as u(id) where u.id is not null) as t
        order by t.id
        on conflict ((message ->> 'id')) where read_ct = 0
        -- An unread message waits: lock it, write nothing. No drain reads it before this commits.
        do update set vt = q.vt where false
        returning 1
      )
      select pg_catalog.count(*)::integer from sent
    $sql$,
    'q_' || p_queue
  ) into sent using p_ids;
  return sent;
end
$$;
comment on function vector_sync.send_unless_waiting(text, text[]) is
  'Enqueues {"id"} messages on a queue, skipping (and locking until commit) ids with an unread message waiting; '
  'the queue holds at most one unread message per id.';

create or replace function vector_sync.enqueue_drift(p_model text default null, p_limit integer default 1000)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  sent integer;
  orphans integer := 0;
begin
  if p_limit is null or p_limit < 1 then
    raise exception 'p_limit must be at least 1' using errcode = '22023';
  end if;

  -- LEFT JOIN, so documents that never got an embedding (loaded with triggers off, a purged queue)
  -- are found as well as stale or other-model ones. FOR SHARE SKIP LOCKED: a document an edit holds
  -- is left to the edit's own trigger; one drift holds keeps its edit waiting until drift commits.
  sent := vector_sync.send_unless_waiting('embedding_jobs', array(
    select d.id::text
    from public.source_documents as d
    left join public.document_embeddings as e on e.document_id = d.id
    where d.content ~ '\S'
      and (
        e.document_id is null
        or e.content_hash <> pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex')
        or (p_model is not null and e.model <> p_model)
      )
      and not exists (
        select 1 from pgmq.q_embedding_jobs as q
        where q.read_ct = 0 and (q.message ->> 'id') = d.id::text
      )
    order by d.updated_at, d.id
    limit p_limit
    for share of d skip locked
  ));

  -- Sidecar rows without a document: impossible with the foreign key, possible after a restore
  -- with triggers off. The sync decides the op from the current rows, as for any vector_sync message.
  if sent < p_limit then
    orphans := vector_sync.send_unless_waiting('vector_sync', array(
      select e.document_id::text
      from public.document_embeddings as e
      where not exists (select 1 from public.source_documents as d where d.id = e.document_id)
        and not exists (
          select 1 from pgmq.q_vector_sync as q
          where q.read_ct = 0 and (q.message ->> 'id') = e.document_id::text
        )
      order by e.document_id
      limit p_limit - sent
    ));
  end if;
  return sent + orphans;
end
$$;
comment on function vector_sync.enqueue_drift(text, integer) is
  'Reconciliation: enqueues up to p_limit missing, stale or other-model embeddings (and orphans); returns the count.';

revoke execute on function
  vector_sync.send_unless_waiting(text, text[]),
  vector_sync.enqueue_drift(text, integer)
from public, anon, authenticated;

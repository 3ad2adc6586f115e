-- create queue helpers and dead letters
--
-- What the edge functions call (docs/supabase.md, "Queue helpers"), the dead-letter table that caps
-- retries, and the one list of periodic jobs. pgmq is only ever read with explicit column lists: its
-- row type gains columns between 1.4 (Supabase), 1.5 and 1.11 (PGlite).

create table vector_sync.dead_letters (
  id bigserial primary key,
  queue text not null
    constraint dead_letters_queue_known check (queue in ('embedding_jobs', 'vector_sync')),
  msg_id bigint not null,
  document_id text,
  read_ct integer not null,
  step text not null
    constraint dead_letters_step_length check (char_length(step) between 1 and 64),
  error text not null,
  failed_at timestamptz not null default now()
);
comment on table vector_sync.dead_letters is
  'Messages that failed p_max_attempts reads; the message itself is in pgmq.a_<queue> (archive).';
create index dead_letters_queue_failed_at on vector_sync.dead_letters (queue, failed_at desc);
create index dead_letters_document_id on vector_sync.dead_letters (document_id);

create table vector_sync.schedules (
  name text primary key
    constraint schedules_name_format check (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  schedule text not null,
  function_name text
    constraint schedules_function_name_format check (function_name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  command text,
  constraint schedules_function_or_command check ((function_name is null) <> (command is null))
);
comment on table vector_sync.schedules is
  'Periodic jobs: pg_cron runs them on Supabase, local/supabase/startScheduler.ts runs them locally. '
  'function_name rows POST {} to /functions/v1/<function_name>; command rows run the SQL.';

-- '*/15 * * * *' rather than '15 minutes': pg_cron's interval form only takes seconds (1-59).
insert into vector_sync.schedules (name, schedule, function_name, command) values
  ('embed-documents', '10 seconds', 'embed-documents', null),
  ('publish-changes', '10 seconds', 'publish-changes', null),
  ('drift-scan', '*/15 * * * *', null, 'select vector_sync.enqueue_drift()');

alter table vector_sync.dead_letters enable row level security;
alter table vector_sync.schedules enable row level security;
revoke all on table vector_sync.dead_letters, vector_sync.schedules from public, anon, authenticated;
revoke all on sequence vector_sync.dead_letters_id_seq from public, anon, authenticated;

create function vector_sync.read_queue(p_queue text, p_vt_seconds integer, p_qty integer)
returns table (msg_id bigint, read_ct integer, enqueued_at timestamptz, document_id text)
language sql
volatile
set search_path = ''
as $$
  select r.msg_id, r.read_ct, r.enqueued_at, r.message ->> 'id'
  from pgmq.read(p_queue, p_vt_seconds, p_qty) as r
  order by r.msg_id;
$$;
comment on function vector_sync.read_queue(text, integer, integer) is
  'pgmq.read with explicit columns; document_id is the message''s id (null when the message has none).';

create function vector_sync.embedding_sources(p_ids uuid[])
returns table (document_id uuid, content text, content_hash text, embedded_hash text, embedded_model text)
language sql
stable
set search_path = ''
as $$
  select
    d.id,
    d.content,
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex'),
    e.content_hash,
    e.model
  from public.source_documents as d
  left join public.document_embeddings as e on e.document_id = d.id
  where d.id = any (p_ids)
  order by d.id;
$$;
comment on function vector_sync.embedding_sources(uuid[]) is
  'Current content and hash of the existing documents among p_ids, with the sidecar''s hash and model.';

create function vector_sync.write_embedding(
  p_document_id uuid,
  p_content_hash text,
  p_model text,
  p_embedding extensions.vector
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- FOR SHARE holds off a concurrent content edit until this write commits; the edit's trigger then
  -- sees this hash in the sidecar, differs from it, and enqueues the new content.
  perform 1
  from public.source_documents as d
  where d.id = p_document_id
    and d.content ~ '\S'
    and pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') = p_content_hash
  for share;
  if not found then
    return false;
  end if;

  insert into public.document_embeddings as e (document_id, content_hash, model, embedding)
  values (p_document_id, p_content_hash, p_model, p_embedding)
  on conflict (document_id) do update
  set content_hash = excluded.content_hash, model = excluded.model, embedding = excluded.embedding
  -- Rewriting an identical row would only bump updated_at and cost a WAL record.
  where e.content_hash <> excluded.content_hash
    or e.model <> excluded.model
    or not (e.embedding operator(extensions.=) excluded.embedding);
  return true;
end
$$;
comment on function vector_sync.write_embedding(uuid, text, text, extensions.vector) is
  'Compare-and-set upsert: writes only while the document exists with this content hash; false = stale.';

create function vector_sync.delete_messages(p_queue text, p_msg_ids bigint[])
returns bigint
language sql
volatile
set search_path = ''
as $$
  select pg_catalog.count(*) from pgmq.delete(p_queue, p_msg_ids);
$$;
comment on function vector_sync.delete_messages(text, bigint[]) is
  'pgmq.delete of handled messages; returns how many were deleted.';

create function vector_sync.retry_or_park(
  p_queue text,
  p_msg_id bigint,
  p_error text,
  p_step text,
  p_max_attempts integer default 5,
  p_base_delay_seconds integer default 10,
  p_max_delay_seconds integer default 900
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_read_ct integer;
  v_document_id text;
  v_delay integer;
begin
  if p_queue is null or p_queue not in ('embedding_jobs', 'vector_sync') then
    raise exception 'unknown queue %', coalesce(p_queue, 'null') using errcode = '22023';
  end if;
  if p_max_attempts is null or p_max_attempts < 1
    or p_base_delay_seconds is null or p_base_delay_seconds < 1
    or p_max_delay_seconds is null or p_max_delay_seconds < p_base_delay_seconds
  then
    raise exception 'need p_max_attempts >= 1 and 1 <= p_base_delay_seconds <= p_max_delay_seconds'
      using errcode = '22023';
  end if;

  execute pg_catalog.format(
    'select q.read_ct, q.message ->> ''id'' from pgmq.%I as q where q.msg_id = $1 for update',
    'q_' || p_queue
  ) into v_read_ct, v_document_id using p_msg_id;
  if v_read_ct is null then
    -- Deleted or archived by another reader meanwhile: nothing left to retry.
    return 'missing';
  end if;

  if v_read_ct >= p_max_attempts then
    perform pgmq.archive(p_queue, p_msg_id);
    insert into vector_sync.dead_letters (queue, msg_id, document_id, read_ct, step, error)
    values (p_queue, p_msg_id, v_document_id, v_read_ct, coalesce(p_step, 'unknown'), coalesce(p_error, ''));
    return 'parked';
  end if;

  -- base * 2^(read_ct - 1), capped, plus up to 20 % so that messages failed together spread out.
  v_delay := least(
    p_max_delay_seconds::float8,
    p_base_delay_seconds * pg_catalog.power(2::float8, greatest(v_read_ct, 1) - 1)
  )::integer;
  v_delay := v_delay + pg_catalog.floor(pg_catalog.random() * 0.2 * v_delay)::integer;
  perform pgmq.set_vt(p_queue, p_msg_id, v_delay);
  return 'retry';
end
$$;
comment on function vector_sync.retry_or_park(text, bigint, text, text, integer, integer, integer) is
  'After a failed attempt: backoff via pgmq.set_vt (''retry''), or archive + dead_letters row once read_ct '
  'reaches p_max_attempts (''parked''); ''missing'' when the message is gone.';

create function vector_sync.enqueue_drift(p_model text default null, p_limit integer default 1000)
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
  -- are found as well as stale or other-model ones.
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
  vector_sync.read_queue(text, integer, integer),
  vector_sync.embedding_sources(uuid[]),
  vector_sync.write_embedding(uuid, text, text, extensions.vector),
  vector_sync.delete_messages(text, bigint[]),
  vector_sync.retry_or_park(text, bigint, text, text, integer, integer, integer),
  vector_sync.enqueue_drift(text, integer)
from public, anon, authenticated;

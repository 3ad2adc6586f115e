-- create embedding queues and triggers
--
-- Change capture in the writer's transaction (docs/supabase.md, "Queues (pgmq) and triggers"):
-- `embedding_jobs` carries documents whose content needs a (new) embedding, `vector_sync` carries
-- documents whose embedding changed or went away. A message is only a pointer `{"id": "<uuid>"}`;
-- the reader decides what to do from the current rows, so an old message can never write old data.
--
-- The trigger functions are SECURITY DEFINER: whoever may write the tables (the owner, or
-- service_role through the Data API) must not also need rights on pgmq for the write to succeed.
-- They run with an empty search_path, and nobody but the owner may execute them directly.

select pgmq.create('embedding_jobs');
select pgmq.create('vector_sync');

-- "Is an unread message for this id already waiting?" is asked for every write: without these
-- indexes a bulk load would scan the whole queue once per row.
create index q_embedding_jobs_unread_document_id
  on pgmq.q_embedding_jobs ((message ->> 'id')) where read_ct = 0;
create index q_vector_sync_unread_document_id
  on pgmq.q_vector_sync ((message ->> 'id')) where read_ct = 0;

-- Sends one `{"id": ...}` message per distinct id that has no unread message waiting in the queue;
-- returns how many it sent. A message already read (read_ct > 0) may be in the hands of a worker
-- that has read the old content, so it does not count as waiting.
create function vector_sync.send_unless_waiting(p_queue text, p_ids text[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  messages jsonb[];
begin
  if p_queue not in ('embedding_jobs', 'vector_sync') then
    raise exception 'unknown queue %', p_queue using errcode = '22023';
  end if;
  execute pg_catalog.format(
    $sql$
      select coalesce(pg_catalog.array_agg(pg_catalog.jsonb_build_object('id', t.id) order by t.id), '{}')
      from (select distinct u.id from pg_catalog.unnest($1) as u(id) where u.id is not null) as t
      where not exists (
        select 1 from pgmq.%I as q where q.read_ct = 0 and (q.message ->> 'id') = t.id
      )
    $sql$,
    'q_' || p_queue
  ) into messages using p_ids;
  if pg_catalog.cardinality(messages) = 0 then
    return 0;
  end if;
  perform pgmq.send_batch(p_queue, messages);
  return pg_catalog.cardinality(messages);
end
$$;
comment on function vector_sync.send_unless_waiting(text, text[]) is
  'Enqueues {"id"} messages on a queue, skipping ids with an unread message already waiting.';

-- AFTER INSERT, per statement: a bulk load sends one batch, not one message per statement row.
create function vector_sync.enqueue_inserted_documents()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting(
    'embedding_jobs',
    array(select i.id::text from inserted as i where i.content ~ '\S')
  );
  return null;
end
$$;

-- AFTER UPDATE OF content, per row, only when the content changed (the trigger's WHEN clause).
create function vector_sync.enqueue_changed_document()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  embedded_hash text;
begin
  -- Empty or blank content has no embedding; deleting the sidecar row enqueues the OSS delete.
  if new.content !~ '\S' then
    delete from public.document_embeddings as e where e.document_id = new.id;
    return null;
  end if;
  -- Back to the content that is embedded already (an edit undone): nothing to do.
  select e.content_hash into embedded_hash from public.document_embeddings as e where e.document_id = new.id;
  if embedded_hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(new.content, 'UTF8')), 'hex') then
    return null;
  end if;
  perform vector_sync.send_unless_waiting('embedding_jobs', array[new.id::text]);
  return null;
end
$$;

-- AFTER INSERT on the sidecar, per statement.
create function vector_sync.enqueue_inserted_embeddings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting('vector_sync', array(select i.document_id::text from inserted as i));
  return null;
end
$$;

-- AFTER UPDATE on the sidecar, per row, when the vector or its hash changed (the WHEN clause).
create function vector_sync.enqueue_changed_embedding()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting('vector_sync', array[new.document_id::text]);
  return null;
end
$$;

-- AFTER DELETE on the sidecar, per statement (a cascade from source_documents included).
create function vector_sync.enqueue_deleted_embeddings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting('vector_sync', array(select d.document_id::text from deleted as d));
  return null;
end
$$;

-- BEFORE TRUNCATE of either table: TRUNCATE fires no row triggers, so every embedding that is
-- about to vanish is announced here, while the rows can still be read.
create function vector_sync.enqueue_truncated_embeddings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting(
    'vector_sync',
    array(select e.document_id::text from public.document_embeddings as e)
  );
  return null;
end
$$;

create trigger source_documents_enqueue_inserted
  after insert on public.source_documents
  referencing new table as inserted
  for each statement execute function vector_sync.enqueue_inserted_documents();

create trigger source_documents_enqueue_changed
  after update of content on public.source_documents
  for each row
  when (old.content is distinct from new.content)
  execute function vector_sync.enqueue_changed_document();

create trigger source_documents_enqueue_truncated
  before truncate on public.source_documents
  for each statement execute function vector_sync.enqueue_truncated_embeddings();

create trigger document_embeddings_enqueue_inserted
  after insert on public.document_embeddings
  referencing new table as inserted
  for each statement execute function vector_sync.enqueue_inserted_embeddings();

create trigger document_embeddings_enqueue_changed
  after update on public.document_embeddings
  for each row
  when (
    old.content_hash is distinct from new.content_hash
    or not (old.embedding operator(extensions.=) new.embedding)
  )
  execute function vector_sync.enqueue_changed_embedding();

create trigger document_embeddings_enqueue_deleted
  after delete on public.document_embeddings
  referencing old table as deleted
  for each statement execute function vector_sync.enqueue_deleted_embeddings();

create trigger document_embeddings_enqueue_truncated
  before truncate on public.document_embeddings
  for each statement execute function vector_sync.enqueue_truncated_embeddings();

revoke execute on function
  vector_sync.send_unless_waiting(text, text[]),
  vector_sync.enqueue_inserted_documents(),
  vector_sync.enqueue_changed_document(),
  vector_sync.enqueue_inserted_embeddings(),
  vector_sync.enqueue_changed_embedding(),
  vector_sync.enqueue_deleted_embeddings(),
  vector_sync.enqueue_truncated_embeddings()
from public, anon, authenticated;

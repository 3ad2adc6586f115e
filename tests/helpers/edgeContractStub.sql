-- Test-only stand-in for the parts of docs/supabase.md the edge functions call, applied by
-- edgeHarness.ts ONLY when the project's migrations do not define them yet (they are being
-- written in parallel). It follows the contract's signatures; the migrations are the truth.
create table if not exists public.source_documents (
  id uuid primary key default gen_random_uuid(),
  content text not null,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table if not exists public.document_embeddings (
  document_id uuid primary key references public.source_documents(id) on delete cascade,
  content_hash text not null,
  model text not null,
  embedding extensions.vector(384) not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table if not exists vector_sync.dead_letters (
  id bigserial primary key, queue text not null, msg_id bigint not null, document_id text,
  read_ct int, step text not null, error text, failed_at timestamptz not null default now()
);
select pgmq.create('embedding_jobs');
select pgmq.create('vector_sync');

create or replace function vector_sync.hash(p text) returns text language sql immutable set search_path = ''
as $$ select encode(extensions.digest(convert_to(p, 'UTF8'), 'sha256'), 'hex') $$;

create or replace function vector_sync.enqueue_once(p_queue text, p_id text) returns void language plpgsql set search_path = ''
as $$
begin
  if p_queue = 'embedding_jobs' then
    if exists (select 1 from pgmq.q_embedding_jobs where message->>'id' = p_id and read_ct = 0) then return; end if;
  else
    if exists (select 1 from pgmq.q_vector_sync where message->>'id' = p_id and read_ct = 0) then return; end if;
  end if;
  perform pgmq.send(p_queue, jsonb_build_object('id', p_id));
end $$;

create or replace function vector_sync.on_document() returns trigger language plpgsql set search_path = ''
as $$
begin
  if btrim(new.content) = '' then
    delete from public.document_embeddings where document_id = new.id;
    return null;
  end if;
  if tg_op = 'UPDATE' and vector_sync.hash(new.content) = vector_sync.hash(old.content) then return null; end if;
  perform vector_sync.enqueue_once('embedding_jobs', new.id::text);
  return null;
end $$;
create or replace trigger documents_enqueue after insert or update of content on public.source_documents
  for each row execute function vector_sync.on_document();

create or replace function vector_sync.on_embedding() returns trigger language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then perform vector_sync.enqueue_once('vector_sync', old.document_id::text); return null; end if;
  if tg_op = 'UPDATE' and new.embedding::text = old.embedding::text and new.content_hash = old.content_hash then return null; end if;
  perform vector_sync.enqueue_once('vector_sync', new.document_id::text);
  return null;
end $$;
create or replace trigger embeddings_outbox after insert or update or delete on public.document_embeddings
  for each row execute function vector_sync.on_embedding();

create or replace function vector_sync.read_queue(p_queue text, p_vt_seconds int, p_qty int)
returns table (msg_id bigint, read_ct int, enqueued_at timestamptz, document_id text) language sql set search_path = ''
as $$ select r.msg_id, r.read_ct, r.enqueued_at, r.message->>'id' from pgmq.read(p_queue, p_vt_seconds, p_qty) r $$;

create or replace function vector_sync.embedding_sources(p_ids uuid[])
returns table (document_id uuid, content text, content_hash text, embedded_hash text, embedded_model text) language sql set search_path = ''
as $$
  select d.id, d.content, vector_sync.hash(d.content), e.content_hash, e.model
  from public.source_documents d left join public.document_embeddings e on e.document_id = d.id
  where d.id = any(p_ids)
$$;

create or replace function vector_sync.write_embedding(p_document_id uuid, p_content_hash text, p_model text, p_embedding extensions.vector)
returns boolean language plpgsql set search_path = ''
as $$
begin
  perform 1 from public.source_documents d where d.id = p_document_id and vector_sync.hash(d.content) = p_content_hash for update;
  if not found then return false; end if;
  insert into public.document_embeddings (document_id, content_hash, model, embedding)
  values (p_document_id, p_content_hash, p_model, p_embedding)
  on conflict (document_id) do update set content_hash = excluded.content_hash, model = excluded.model, embedding = excluded.embedding, updated_at = now();
  return true;
end $$;

create or replace function vector_sync.delete_messages(p_queue text, p_msg_ids bigint[]) returns bigint language sql set search_path = ''
as $$ select count(*) from pgmq.delete(p_queue, p_msg_ids) $$;

create or replace function vector_sync.retry_or_park(p_queue text, p_msg_id bigint, p_error text, p_step text,
  p_max_attempts int default 5, p_base_delay_seconds int default 10, p_max_delay_seconds int default 900)
returns text language plpgsql set search_path = ''
as $$
declare v_read_ct int; v_doc text; v_delay numeric;
begin
  execute format('select read_ct, message->>''id'' from pgmq.%I where msg_id = $1', 'q_' || p_queue) into v_read_ct, v_doc using p_msg_id;
  if v_read_ct is null then return 'parked'; end if;
  if v_read_ct >= p_max_attempts then
    perform pgmq.archive(p_queue, p_msg_id);
    insert into vector_sync.dead_letters (queue, msg_id, document_id, read_ct, step, error) values (p_queue, p_msg_id, v_doc, v_read_ct, p_step, p_error);
    return 'parked';
  end if;
  v_delay := least(p_max_delay_seconds, p_base_delay_seconds * power(2, greatest(v_read_ct - 1, 0)));
  perform pgmq.set_vt(p_queue, p_msg_id, ceil(v_delay * (1 + random() * 0.2))::int);
  return 'retry';
end $$;

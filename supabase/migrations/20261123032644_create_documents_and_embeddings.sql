-- create documents and embeddings
--
-- The source table and its 1:1 embedding sidecar (docs/supabase.md, "Tables"). Keeping the vector
-- out of the source row means an embedding write never re-fires the source triggers and never
-- bloats the row the application edits.

create function vector_sync.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end
$$;
comment on function vector_sync.touch_updated_at() is 'BEFORE UPDATE trigger: keeps updated_at at the time of the last write.';

create table public.source_documents (
  id uuid primary key default gen_random_uuid(),
  content text not null,
  metadata jsonb not null default '{}'::jsonb
    constraint source_documents_metadata_is_object check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.source_documents is
  'The documents to embed; every content change is queued on pgmq embedding_jobs by a trigger.';

create table public.document_embeddings (
  document_id uuid primary key references public.source_documents (id) on delete cascade,
  content_hash text not null
    constraint document_embeddings_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  model text not null
    constraint document_embeddings_model_length check (char_length(model) between 1 and 200),
  embedding extensions.vector(384) not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.document_embeddings is
  'One embedding per document, with the SHA-256 of the content and the model it was computed from.';
comment on column public.document_embeddings.content_hash is
  'encode(sha256(convert_to(content, ''UTF8'')), ''hex'') of the content that was embedded.';

-- One index: the vectors are normalised, so cosine and L2 rank alike and a second index would only
-- double the write cost.
create index document_embeddings_embedding_hnsw
  on public.document_embeddings using hnsw (embedding extensions.vector_cosine_ops);

create trigger source_documents_touch_updated_at
  before update on public.source_documents
  for each row execute function vector_sync.touch_updated_at();

create trigger document_embeddings_touch_updated_at
  before update on public.document_embeddings
  for each row execute function vector_sync.touch_updated_at();

-- The API roles get nothing: RLS on with no policy, and no table privileges either (Supabase grants
-- them on every new table in public by default).
alter table public.source_documents enable row level security;
alter table public.document_embeddings enable row level security;
revoke all on table public.source_documents, public.document_embeddings from public, anon, authenticated;
revoke execute on function vector_sync.touch_updated_at() from public, anon, authenticated;

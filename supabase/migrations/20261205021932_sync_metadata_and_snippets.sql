-- sync metadata and snippets
--
-- What a vector carries now decides whether it is written again (docs/supabase.md, "Metadata and
-- snippets"):
-- - `index_state.vector_hash`: the SHA-256 of what the worker last sent for a document (the model
--   of its values and all its metadata: the document's metadata, content_hash and snippet). A sync writes a vector
--   again when this differs, so a metadata-only change reaches the index. Null for rows written
--   before this migration: they are written again on their next sync.
-- - A metadata change of a document whose embedding is current is queued on `vector_sync` (no new
--   embedding is needed), by a statement trigger: a bulk update sends one batch, not one per row.
-- - `indexes.non_filterable_keys`: the keys a generation's OSS index was created with as
--   non-filterable. New generations get `{snippet}`, so the snippet each vector carries does not
--   count against the 2 KB of filterable metadata; generations created before keep `{}` (index
--   settings cannot change in OSS Vectors) and get no snippet until a rebuild.

alter table vector_sync.index_state
  add column vector_hash text
    constraint index_state_vector_hash_format check (vector_hash is null or vector_hash ~ '^[0-9a-f]{64}$');
comment on column vector_sync.index_state.vector_hash is
  'SHA-256 of the model and metadata last written for the document; null when written before it was kept.';

alter table vector_sync.indexes
  add column non_filterable_keys text[] not null default '{}'
    constraint indexes_non_filterable_keys_count check (pg_catalog.cardinality(non_filterable_keys) <= 10);
alter table vector_sync.indexes alter column non_filterable_keys set default '{snippet}';
comment on column vector_sync.indexes.non_filterable_keys is
  'The nonFilterableMetadataKeys the OSS index was created with (fixed for its life).';

drop function vector_sync.upsert_index_state(text, text[], text[]);

create function vector_sync.upsert_index_state(
  p_index_name text,
  p_document_ids text[],
  p_content_hashes text[],
  p_vector_hashes text[] default null
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_index_state text;
  written integer;
begin
  if coalesce(pg_catalog.cardinality(p_document_ids), 0) <> coalesce(pg_catalog.cardinality(p_content_hashes), 0)
    or pg_catalog.array_ndims(p_document_ids) > 1
    or pg_catalog.array_ndims(p_content_hashes) > 1
  then
    raise exception 'document ids (%) and content hashes (%) must be one-dimensional arrays of equal length',
      coalesce(pg_catalog.cardinality(p_document_ids), 0), coalesce(pg_catalog.cardinality(p_content_hashes), 0)
      using errcode = '22023';
  end if;
  if p_vector_hashes is not null and (pg_catalog.cardinality(p_vector_hashes) <> pg_catalog.cardinality(p_document_ids) or pg_catalog.array_ndims(p_vector_hashes) > 1) then
    raise exception 'vector hashes (%) must be a one-dimensional array as long as the document ids (%)',
      pg_catalog.cardinality(p_vector_hashes), pg_catalog.cardinality(p_document_ids)
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_document_ids);
  if exists (select 1 from unnest(p_content_hashes) as h(hash) where h.hash is null or h.hash !~ '^[0-9a-f]{64}$') then
    raise exception 'content hashes must be 64 lower-case hex characters (SHA-256)' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_vector_hashes) as h(hash) where h.hash !~ '^[0-9a-f]{64}$') then
    raise exception 'vector hashes must be 64 lower-case hex characters (SHA-256) or null' using errcode = '22023';
  end if;
  select i.state into v_index_state from vector_sync.indexes as i where i.index_name = p_index_name;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v_index_state = 'dropped' then
    raise exception 'index % is dropped', p_index_name using errcode = '55000';
  end if;

  -- The last hash given for an id wins (ON CONFLICT cannot touch a row twice in one statement).
  insert into vector_sync.index_state as s (index_name, document_id, content_hash, vector_hash, synced_at)
  select distinct on (t.id) p_index_name, t.id, t.hash, p_vector_hashes[t.ord], now()
  from unnest(p_document_ids, p_content_hashes) with ordinality as t(id, hash, ord)
  order by t.id, t.ord desc
  on conflict (index_name, document_id) do update
  set content_hash = excluded.content_hash, vector_hash = excluded.vector_hash, synced_at = excluded.synced_at;
  get diagnostics written = row_count;
  return written;
end
$$;

comment on function vector_sync.upsert_index_state(text, text[], text[], text[]) is
  'Records what an index holds for documents: content hash and (when given) the hash of the vector written.';
revoke execute on function vector_sync.upsert_index_state(text, text[], text[], text[]) from public, anon, authenticated;

-- AFTER UPDATE, per statement: documents whose metadata changed while their embedding stayed current
-- (content unchanged, or changed back to what was embedded) go to the `vector_sync` queue; a content
-- change goes through embedding_jobs, and its new embedding is queued when it is written.
create function vector_sync.enqueue_metadata_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting('vector_sync', array(
    select n.id::text
    from changed_new as n
    join changed_old as o on o.id = n.id
    join public.document_embeddings as e on e.document_id = n.id
    where o.metadata is distinct from n.metadata
      and (
        o.content = n.content
        or e.content_hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(n.content, 'UTF8')), 'hex')
      )
  ));
  return null;
end
$$;
comment on function vector_sync.enqueue_metadata_changes() is
  'AFTER UPDATE statement trigger: queues documents whose metadata changed and whose embedding is current.';

create trigger source_documents_enqueue_metadata_changed
  after update on public.source_documents
  referencing old table as changed_old new table as changed_new
  for each statement execute function vector_sync.enqueue_metadata_changes();

revoke execute on function vector_sync.enqueue_metadata_changes() from public, anon, authenticated;

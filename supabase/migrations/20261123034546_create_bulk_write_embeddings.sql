-- create bulk write embeddings
--
-- Compare-and-set for a whole batch in one statement. Writing row by row through write_embedding
-- fires the statement-level insert trigger (and its queue send) once per row; here it fires once
-- per batch, which is what keeps the embedder's writer ahead of the provider.

create function vector_sync.write_embeddings(
  p_document_ids uuid[],
  p_content_hashes text[],
  p_model text,
  p_embeddings extensions.vector[]
)
returns setof uuid
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(pg_catalog.array_length(p_document_ids, 1), 0) <> coalesce(pg_catalog.array_length(p_content_hashes, 1), 0)
     or coalesce(pg_catalog.array_length(p_document_ids, 1), 0) <> coalesce(pg_catalog.array_length(p_embeddings, 1), 0) then
    raise exception 'write_embeddings needs arrays of equal length' using errcode = '22023';
  end if;
  return query
  with input as (
    -- The last entry of a repeated id wins, as if the rows had been written one after another.
    select distinct on (t.document_id) t.document_id, t.content_hash, t.embedding
    from unnest(p_document_ids, p_content_hashes, p_embeddings) with ordinality as t(document_id, content_hash, embedding, n)
    order by t.document_id, t.n desc
  ),
  current_rows as (
    -- FOR SHARE holds off a concurrent content edit until this write commits (see write_embedding).
    select i.document_id, i.content_hash, i.embedding
    from input as i
    join public.source_documents as d on d.id = i.document_id
    where d.content ~ '\S'
      and pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') = i.content_hash
    for share of d
  ),
  written as (
    insert into public.document_embeddings as e (document_id, content_hash, model, embedding)
    select c.document_id, c.content_hash, p_model, c.embedding from current_rows as c
    on conflict (document_id) do update
    set content_hash = excluded.content_hash, model = excluded.model, embedding = excluded.embedding
    where e.content_hash <> excluded.content_hash
      or e.model <> excluded.model
      or not (e.embedding operator(extensions.=) excluded.embedding)
    returning e.document_id
  )
  select c.document_id from current_rows as c;
end
$$;
comment on function vector_sync.write_embeddings(uuid[], text[], text, extensions.vector[]) is
  'Compare-and-set upsert of a batch; returns the ids accepted (current content hash), the others are stale.';

revoke execute on function vector_sync.write_embeddings(uuid[], text[], text, extensions.vector[]) from public, anon, authenticated;

-- write embeddings without waiting on edits
--
-- write_embeddings share-locked its batch's documents in whatever order its plan met them, waiting
-- for each one an edit held. An application transaction that edits several documents one
-- statement at a time holds the first ones while it waits for the next: with a batch holding that
-- next one and waiting for the first ones, one of the two was aborted with a deadlock (40P01),
-- sometimes the application's (tests/concurrency/documents.test.ts). Now the batch skips the
-- documents another transaction holds (FOR SHARE SKIP LOCKED) and returns them with the stale
-- ones, as not written; the caller (shared/ledger/QueueLedger.ts) writes each of those again on its
-- own with write_embedding, which waits for the edit and then compares the hash: one row and no
-- other lock held cannot close a cycle. The sidecar rows are written in document id order, so two
-- batches of overlapping ids wait for each other in one order.
--
-- What it costs: a batch never waits; each document that was locked at that instant costs one
-- more statement (after the edit commits, it is refused as stale, or written if the edit left
-- the content as it was).

create or replace function vector_sync.write_embeddings(
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
    -- FOR SHARE holds off a concurrent content edit until this write commits (see write_embedding);
    -- SKIP LOCKED leaves out a document an edit holds now rather than wait for it.
    select i.document_id, i.content_hash, i.embedding
    from input as i
    join public.source_documents as d on d.id = i.document_id
    where d.content ~ '\S'
      and pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') = i.content_hash
    for share of d skip locked
  ),
  written as (
    insert into public.document_embeddings as e (document_id, content_hash, model, embedding)
    select c.document_id, c.content_hash, p_model, c.embedding from current_rows as c
    order by c.document_id
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
  'Compare-and-set upsert of a batch; returns the ids written. The others are stale, or locked by another '
  'transaction at that instant (skipped, not waited for): write those with write_embedding, one at a time.';

revoke execute on function vector_sync.write_embeddings(uuid[], text[], text, extensions.vector[]) from public, anon, authenticated;

-- create document status
--
-- Where each document stands, queryable in SQL (docs/architecture.md, "Index health and document
-- status"), after Bedrock's per-document ingestion states. One row per document id and active
-- generation (one row per document with the usual single logical index; a document is listed with a
-- null index_name while no generation is active):
--
--   pending_embedding  the document has content but no embedding of its current content
--   pending_sync       embedded, but the active generation does not hold that hash yet, or a change
--                      for it is queued, in a batch not yet published, or in an open run; also a
--                      gone (or blanked) document whose vector the index still holds
--   indexed            the active generation holds the current hash
--   unchanged          indexed, and the last run that saw it left it as it was
--   rejected, failed   the newest run item says so (and is not older than the embedding) and the
--                      index does not hold the current hash; reason from vector_sync.rejections, or
--                      the error of the chunk (else the run) that had it
--   deleted            the document is gone (or blank, so never embedded) and the index holds
--                      nothing for it
--
-- `select * from vector_sync.document_status where document_id = $1` is answered from indexes: the
-- predicate reaches each branch of the union (an expression index finds a document by its id as
-- text, as the ledger stores ids), and the newest run item of a document is one probe of
-- run_items (document_id, updated_at). Counting every status reads every document once (its
-- content for the hash), the active generation's index_state, and the delete items.

-- The ledger keeps document ids as text; documents are found by that text.
create index source_documents_id_text on public.source_documents ((id::text));
-- A document's run items, newest first: its last verdict.
create index run_items_document_id_updated_at on vector_sync.run_items (document_id, updated_at desc);
-- Documents some run deleted: the candidates for 'deleted' once the document is gone.
create index run_items_deleted_document_id on vector_sync.run_items (document_id) where op = 'delete';
-- Items no worker has settled yet (open runs, and runs that failed before reaching them): few.
create index run_items_unsettled_document_id on vector_sync.run_items (document_id) where outcome is null;

create view vector_sync.document_status
with (security_invoker = true)
as
-- Documents that exist.
select
  d.id::text as document_id,
  a.logical_name,
  a.index_name,
  pg_catalog.split_part(v.verdict, ':', 1) as status,
  case pg_catalog.split_part(v.verdict, ':', 2)
    when 'unembedded' then 'no embedding yet' || coalesce('; the last attempt gave up: ' || (
      select l.error from vector_sync.dead_letters as l
      where l.queue = 'embedding_jobs' and l.document_id = d.id::text and l.failed_at >= d.updated_at
      order by l.failed_at desc limit 1), '')
    when 'outdated' then 'the content changed since it was embedded'
    when 'blank-held' then 'blank content: its vector is still to be deleted'
    when 'blank' then 'blank content is never embedded'
    when 'queued' then 'a change is queued for the index'
    when 'batched' then 'a change is in a batch not yet published'
    when 'in-run' then 'a run is writing it'
    when 'not-held' then 'embedded; the index does not hold it yet'
    when 'older' then 'the index holds an older embedding'
    when 'unchanged' then 'the last run found the index up to date'
    when 'rejected' then (
      select j.reason || coalesce(': ' || j.detail, '') from vector_sync.rejections as j
      where j.run_id = last.run_id and j.document_id = d.id::text)
    when 'failed' then coalesce((
      select c.error from vector_sync.chunks as c
      where c.run_id = last.run_id and c.state = 'failed'
        and coalesce(c.selector -> 'ids' ? (d.id::text), true)
      order by c.chunk_no limit 1), last.run_error, 'the run failed')
  end as reason,
  s.synced_at as indexed_at,
  c.current_hash as content_hash,
  e.content_hash as embedded_hash,
  s.content_hash as indexed_hash,
  d.updated_at as document_updated_at,
  e.updated_at as embedded_at,
  last.run_id as last_run_id,
  last.op as last_op,
  last.outcome as last_outcome,
  last.updated_at as last_seen_at
from public.source_documents as d
left join public.document_embeddings as e on e.document_id = d.id
left join vector_sync.indexes as a on a.state = 'active'
left join vector_sync.index_state as s on s.index_name = a.index_name and s.document_id = d.id::text
cross join lateral (
  select
    d.content ~ '\S' as has_content,
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') as current_hash
) as c
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at, r.state as run_state, r.error as run_error
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = d.id::text and (a.logical_name is null or g.logical_name = a.logical_name)
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
-- The checks run in order and stop at the first that holds (a CASE), so a document is probed only
-- as far as its status needs.
cross join lateral (
  select case
    when not c.has_content then case when s.document_id is null then 'deleted:blank' else 'pending_sync:blank-held' end
    when e.document_id is null then 'pending_embedding:unembedded'
    when e.content_hash <> c.current_hash then 'pending_embedding:outdated'
    when exists (
      select 1 from pgmq.q_vector_sync as q where q.read_ct = 0 and (q.message ->> 'id') = d.id::text
    ) then 'pending_sync:queued'
    when exists (
      select 1 from vector_sync.change_batches as b
      join vector_sync.change_batch_items as bi on bi.batch_id = b.batch_id and bi.document_id = d.id::text
      where b.state <> 'published' and (a.logical_name is null or b.logical_name = a.logical_name)
    ) then 'pending_sync:batched'
    when exists (
      select 1 from vector_sync.run_items as i
      join vector_sync.runs as r on r.run_id = i.run_id
      join vector_sync.indexes as g on g.index_name = r.index_name
      where i.outcome is null and i.document_id = d.id::text and r.state in ('accepted', 'chunked', 'dispatched')
        and (a.logical_name is null or g.logical_name = a.logical_name)
    ) then 'pending_sync:in-run'
    when s.content_hash = e.content_hash then case when last.outcome = 'skipped' then 'unchanged:unchanged' else 'indexed:' end
    when last.updated_at >= e.updated_at and last.outcome in ('rejected', 'failed') then last.outcome || ':' || last.outcome
    when last.updated_at >= e.updated_at and last.outcome is null and last.run_state = 'failed' then 'failed:failed'
    when s.document_id is null then 'pending_sync:not-held'
    else 'pending_sync:older'
  end as verdict
) as v

union all

-- Gone documents whose vector the active generation still holds: the delete is pending (or failed).
select
  s.document_id,
  a.logical_name,
  a.index_name,
  case when last.outcome = 'failed' or (last.outcome is null and last.run_state = 'failed') then 'failed' else 'pending_sync' end,
  case when last.outcome = 'failed' or (last.outcome is null and last.run_state = 'failed')
    then coalesce((
      select c.error from vector_sync.chunks as c
      where c.run_id = last.run_id and c.state = 'failed' and coalesce(c.selector -> 'ids' ? s.document_id, true)
      order by c.chunk_no limit 1), last.run_error, 'the run failed')
    else 'the document is gone; its vector is still to be deleted'
  end,
  s.synced_at,
  null::text,
  null::text,
  s.content_hash,
  null::timestamptz,
  null::timestamptz,
  last.run_id,
  last.op,
  last.outcome,
  last.updated_at
from vector_sync.indexes as a
join vector_sync.index_state as s on s.index_name = a.index_name
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at, r.state as run_state, r.error as run_error
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = s.document_id and g.logical_name = a.logical_name
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
where a.state = 'active'
  and not exists (select 1 from public.source_documents as d where d.id::text = s.document_id)

union all

-- Gone documents a run deleted, which the active generation does not hold.
select
  x.document_id,
  a.logical_name,
  a.index_name,
  'deleted',
  case when last.op = 'delete' and last.outcome = 'deleted' then 'its vector was deleted' else 'the index holds nothing for it' end,
  case when last.op = 'delete' then last.updated_at end,
  null::text,
  null::text,
  null::text,
  null::timestamptz,
  null::timestamptz,
  last.run_id,
  last.op,
  last.outcome,
  last.updated_at
from (select distinct i.document_id from vector_sync.run_items as i where i.op = 'delete') as x
left join vector_sync.indexes as a on a.state = 'active'
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = x.document_id and (a.logical_name is null or g.logical_name = a.logical_name)
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
where not exists (select 1 from public.source_documents as d where d.id::text = x.document_id)
  and not exists (select 1 from vector_sync.index_state as s where s.index_name = a.index_name and s.document_id = x.document_id);
comment on view vector_sync.document_status is
  'One row per document (and active generation): pending_embedding, pending_sync, indexed, unchanged, rejected, failed or deleted, with the reason, the generation and when it was indexed.';

revoke all on table vector_sync.document_status from public, anon, authenticated;

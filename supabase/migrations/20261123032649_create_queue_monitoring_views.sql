-- create queue monitoring views
--
-- What an operator looks at (docs/supabase.md, "Views"). The queue views read pgmq's tables with
-- explicit columns rather than pgmq.metrics(), whose result type differs between pgmq versions.
-- Visibility is judged by clock_timestamp(), as pgmq.read judges it. security_invoker: a view
-- gives nobody more than the tables under it already do.

create view vector_sync.queue_depth
with (security_invoker = true)
as
select
  'embedding_jobs'::text as queue,
  pg_catalog.count(*) as depth,
  pg_catalog.count(*) filter (where q.vt <= pg_catalog.clock_timestamp()) as visible,
  pg_catalog.floor(extract(epoch from pg_catalog.now() - pg_catalog.min(q.enqueued_at)))::bigint as oldest_age_seconds
from pgmq.q_embedding_jobs as q
union all
select
  'vector_sync'::text,
  pg_catalog.count(*),
  pg_catalog.count(*) filter (where q.vt <= pg_catalog.clock_timestamp()),
  pg_catalog.floor(extract(epoch from pg_catalog.now() - pg_catalog.min(q.enqueued_at)))::bigint
from pgmq.q_vector_sync as q;
comment on view vector_sync.queue_depth is
  'Messages per queue: all, visible now (not held by a reader or a backoff), age of the oldest (null when empty).';

create view vector_sync.dead_letter_counts
with (security_invoker = true)
as
select
  'embedding_jobs'::text as queue,
  (select pg_catalog.count(*) from pgmq.a_embedding_jobs as a) as archived,
  (select pg_catalog.count(*) from vector_sync.dead_letters as l where l.queue = 'embedding_jobs') as parked
union all
select
  'vector_sync'::text,
  (select pg_catalog.count(*) from pgmq.a_vector_sync as a),
  (select pg_catalog.count(*) from vector_sync.dead_letters as l where l.queue = 'vector_sync');
comment on view vector_sync.dead_letter_counts is
  'Per queue: messages in the pgmq archive and messages parked by retry_or_park.';

create view vector_sync.documents_without_embedding
with (security_invoker = true)
as
select d.id as document_id, d.created_at, d.updated_at
from public.source_documents as d
where d.content ~ '\S'
  and not exists (select 1 from public.document_embeddings as e where e.document_id = d.id);
comment on view vector_sync.documents_without_embedding is
  'Documents with content but no embedding (pending, failed or never queued).';

create view vector_sync.stale_embeddings
with (security_invoker = true)
as
select
  e.document_id,
  e.model,
  e.content_hash as embedded_hash,
  c.current_hash,
  e.updated_at as embedded_at,
  d.updated_at as document_updated_at
from public.document_embeddings as e
join public.source_documents as d on d.id = e.document_id
cross join lateral (
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') as current_hash
) as c
where e.content_hash <> c.current_hash;
comment on view vector_sync.stale_embeddings is
  'Embeddings computed from content that has changed since.';

revoke all on table
  vector_sync.queue_depth,
  vector_sync.dead_letter_counts,
  vector_sync.documents_without_embedding,
  vector_sync.stale_embeddings
from public, anon, authenticated;

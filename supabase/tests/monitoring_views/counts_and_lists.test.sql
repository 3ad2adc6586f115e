-- The monitoring views: queue depth, dead letters, documents without or with stale embeddings.
begin;
select plan(6);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'waiting'),
  ('00000000-0000-4000-8000-000000000002', 'embedded'),
  ('00000000-0000-4000-8000-000000000003', 'edited later'),
  ('00000000-0000-4000-8000-000000000004', ' ');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000002');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000003', vector_sync_tests.hash('edited'));
-- 3 embedding jobs (the blank document has none); one of them is being read.
select msg_id from pgmq.read('embedding_jobs', 60, 1);

select results_eq(
  $$select queue, depth::int, visible::int, oldest_age_seconds >= 0 from vector_sync.queue_depth order by queue$$,
  $$values ('embedding_jobs'::text, 3, 2, true), ('vector_sync', 2, 2, true)$$,
  'queue_depth counts all and visible messages per queue, with the oldest age'
);
select pgmq.purge_queue('vector_sync');
select ok(
  (select oldest_age_seconds is null from vector_sync.queue_depth where queue = 'vector_sync'),
  'an empty queue has no oldest age'
);

select vector_sync.retry_or_park('embedding_jobs', (select min(msg_id) from pgmq.q_embedding_jobs), 'boom', 'embed', 1);
select results_eq(
  $$select queue, archived::int, parked::int from vector_sync.dead_letter_counts order by queue$$,
  $$values ('embedding_jobs'::text, 1, 1), ('vector_sync', 0, 0)$$,
  'dead_letter_counts counts archived and parked messages per queue'
);

select set_eq(
  $$select document_id::text from vector_sync.documents_without_embedding$$,
  $$values ('00000000-0000-4000-8000-000000000001')$$,
  'documents_without_embedding lists documents with content and no embedding, not blank ones'
);
select results_eq(
  $$select document_id::text, embedded_hash, current_hash from vector_sync.stale_embeddings$$,
  $$values ('00000000-0000-4000-8000-000000000003', encode(sha256(convert_to('edited', 'UTF8')), 'hex'), encode(sha256(convert_to('edited later', 'UTF8')), 'hex'))$$,
  'stale_embeddings lists embeddings of content that changed since'
);
select has_view('vector_sync', 'run_history', 'the ledger''s run_history view sits beside them');

select * from finish();
rollback;

-- enqueue_drift finds what the triggers missed: no embedding, a stale hash, another model, orphans.
begin;
select plan(9);

-- Loaded as a restore would: no trigger runs, so nothing is queued and no FK is checked.
set local session_replication_role = replica;
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'never embedded'),
  ('00000000-0000-4000-8000-000000000002', 'edited since'),
  ('00000000-0000-4000-8000-000000000003', 'up to date'),
  ('00000000-0000-4000-8000-000000000004', 'old model'),
  ('00000000-0000-4000-8000-000000000005', '  ');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000002', vector_sync_tests.hash('before the edit'), 'test:v2');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000003', p_model => 'test:v2');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000004', p_model => 'test:v1');
select vector_sync_tests.embed('00000000-0000-4000-8000-0000000000ff', repeat('c', 64), 'test:v2');
set local session_replication_role = origin;

select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'rows loaded with triggers off queued nothing');

select is(vector_sync.enqueue_drift(), 3, 'without p_model: the missing and the stale embeddings, and the orphan');
select set_eq(
  $$select message ->> 'id' from pgmq.q_embedding_jobs$$,
  $$values ('00000000-0000-4000-8000-000000000001'), ('00000000-0000-4000-8000-000000000002')$$,
  'embedding jobs for the document without an embedding and the one with a stale hash'
);
select set_eq(
  $$select message ->> 'id' from pgmq.q_vector_sync$$,
  $$values ('00000000-0000-4000-8000-0000000000ff')$$,
  'a vector_sync message for the embedding whose document is gone'
);

select is(vector_sync.enqueue_drift(), 0, 'a second scan queues nothing while the jobs wait unread');

select is(vector_sync.enqueue_drift('test:v2'), 1, 'with p_model, an embedding of another model is drift too');
select ok(
  exists (select 1 from pgmq.q_embedding_jobs where message ->> 'id' = '00000000-0000-4000-8000-000000000004'),
  'the other-model document is queued'
);

select pgmq.purge_queue('embedding_jobs');
select pgmq.purge_queue('vector_sync');
select is(vector_sync.enqueue_drift('test:v2', 2), 2, 'p_limit caps how many are queued');
select is(
  (select count(*)::int from pgmq.q_embedding_jobs) + (select count(*)::int from pgmq.q_vector_sync),
  2,
  'no more than p_limit messages were sent'
);

select * from finish();
rollback;

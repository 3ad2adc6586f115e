-- Every change of an embedding queues {id} on vector_sync, once while unread.
begin;
select plan(7);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select vector_sync_tests.embed(id) from public.source_documents;

select set_eq(
  $$select message from pgmq.q_vector_sync$$,
  $$values ('{"id": "00000000-0000-4000-8000-000000000001"}'::jsonb), ('{"id": "00000000-0000-4000-8000-000000000002"}'::jsonb)$$,
  'inserting embeddings queues one {id} per document'
);

update public.document_embeddings set embedding = vector_sync_tests.embedding(0.2);
select is((select count(*)::int from pgmq.q_vector_sync), 2, 'an update while the messages are unread queues no duplicate');

select pgmq.purge_queue('vector_sync');
update public.document_embeddings set model = 'test:other' where document_id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_vector_sync), 0, 'a model-only update (same vector, same hash) queues nothing');

update public.document_embeddings set embedding = vector_sync_tests.embedding(0.3)
where document_id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_vector_sync), 1, 'a new vector queues a message');

select pgmq.purge_queue('vector_sync');
update public.document_embeddings set content_hash = repeat('b', 64) where document_id = '00000000-0000-4000-8000-000000000002';
select is((select count(*)::int from pgmq.q_vector_sync), 1, 'a new content_hash queues a message');

select pgmq.purge_queue('vector_sync');
delete from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001';
select is(
  (select count(*)::int from pgmq.q_vector_sync where message ->> 'id' = '00000000-0000-4000-8000-000000000001'),
  1,
  'deleting an embedding queues a message'
);

delete from public.source_documents where id = '00000000-0000-4000-8000-000000000002';
select is(
  (select count(*)::int from pgmq.q_vector_sync where message ->> 'id' = '00000000-0000-4000-8000-000000000002'),
  1,
  'deleting a document queues a message through the cascade'
);

select * from finish();
rollback;

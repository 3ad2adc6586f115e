-- Blank content has no embedding: the sidecar row goes, the OSS delete is queued, no job is.
begin;
select plan(4);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-000000000001', 'has words');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000001');
select pgmq.purge_queue('embedding_jobs');
select pgmq.purge_queue('vector_sync');

update public.source_documents set content = E' \t\n ' where id = '00000000-0000-4000-8000-000000000001';

select is((select count(*)::int from public.document_embeddings), 0, 'the embedding of a blanked document is deleted');
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'a blanked document queues no embedding job');
select is(
  (select count(*)::int from pgmq.q_vector_sync where message ->> 'id' = '00000000-0000-4000-8000-000000000001'),
  1,
  'the deleted embedding queues a vector_sync message'
);

update public.source_documents set content = '' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'blank to empty queues nothing either');

select * from finish();
rollback;

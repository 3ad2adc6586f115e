-- Updates queue a job only when the content's hash changes, and never while an unread one waits.
begin;
select plan(8);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-000000000001', 'original');
-- A worker takes the insert's job and deletes it, as embed-documents does after writing.
select pgmq.delete('embedding_jobs', (select array_agg(msg_id) from pgmq.q_embedding_jobs));
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'the queue starts empty');

update public.source_documents set content = 'original' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'rewriting the same content queues nothing');

update public.source_documents set metadata = '{"k": 1}' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'a metadata-only update queues nothing');

update public.source_documents set content = 'edited' where id = '00000000-0000-4000-8000-000000000001';
select is(
  (select count(*)::int from pgmq.q_embedding_jobs where message ->> 'id' = '00000000-0000-4000-8000-000000000001'),
  1,
  'changed content queues a job'
);

update public.source_documents set content = 'edited again' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 1, 'a second edit while the job is unread queues no duplicate');

-- A worker has read the job (read_ct = 1) and may be embedding the old content.
select msg_id from pgmq.read('embedding_jobs', 30, 1);
update public.source_documents set content = 'edited while being read' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 2, 'an edit after the job was read queues a new one');
select is((select count(*)::int from pgmq.q_embedding_jobs where read_ct = 0), 1, 'exactly one unread job waits per document');

-- Back to the content the sidecar already holds: an edit undone needs no new embedding.
select pgmq.delete('embedding_jobs', (select array_agg(msg_id) from pgmq.q_embedding_jobs));
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000001', vector_sync_tests.hash('embedded text'));
update public.source_documents set content = 'embedded text' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'content whose hash the sidecar holds queues nothing');

select * from finish();
rollback;

-- delete_messages deletes the messages a reader handled and counts only those that existed.
begin;
select plan(2);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select pgmq.send('embedding_jobs', '{"not_id": 1}');
create temporary table got on commit drop as
select * from vector_sync.read_queue('embedding_jobs', 30, 10);

select is(
  vector_sync.delete_messages('embedding_jobs', (select array_agg(msg_id) || array[-1::bigint] from got)),
  3::bigint,
  'delete_messages deletes the messages given and counts only those that existed'
);
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'the deleted messages have left the queue');

select * from finish();
rollback;

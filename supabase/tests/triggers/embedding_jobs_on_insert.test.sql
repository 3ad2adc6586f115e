-- Inserting documents queues one embedding job per document with content.
begin;
select plan(4);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two'),
  ('00000000-0000-4000-8000-000000000003', '   ');

select is(
  (select count(*)::int from pgmq.q_embedding_jobs),
  2,
  'a multi-row insert queues one job per document with content'
);
select set_eq(
  $$select message from pgmq.q_embedding_jobs$$,
  $$values ('{"id": "00000000-0000-4000-8000-000000000001"}'::jsonb), ('{"id": "00000000-0000-4000-8000-000000000002"}'::jsonb)$$,
  'each message is {"id": "<document uuid>"} and nothing more'
);
select is(
  (select count(*)::int from pgmq.q_embedding_jobs where message ->> 'id' = '00000000-0000-4000-8000-000000000003'),
  0,
  'a blank document queues no job'
);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-000000000004', 'four');
select is(
  (select count(*)::int from pgmq.q_embedding_jobs where message ->> 'id' = '00000000-0000-4000-8000-000000000004'),
  1,
  'a single-row insert queues its job'
);

select * from finish();
rollback;

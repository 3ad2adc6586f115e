-- read_queue reads the visible messages with their document id, as the edge functions use it.
begin;
select plan(4);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select pgmq.send('embedding_jobs', '{"not_id": 1}');

create temporary table got on commit drop as
select * from vector_sync.read_queue('embedding_jobs', 30, 10);

select is((select count(*)::int from got), 3, 'read_queue returns every visible message up to p_qty');
select set_eq(
  $$select document_id from got$$,
  $$values ('00000000-0000-4000-8000-000000000001'), ('00000000-0000-4000-8000-000000000002'), (null)$$,
  'document_id is the message''s id, null when the message has none'
);
select ok((select bool_and(read_ct = 1) from got), 'read_ct counts this read');
select is(
  (select count(*)::int from vector_sync.read_queue('embedding_jobs', 30, 10)),
  0,
  'read messages stay invisible for p_vt_seconds'
);

select * from finish();
rollback;

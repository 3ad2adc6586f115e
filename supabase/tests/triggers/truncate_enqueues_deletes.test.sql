-- TRUNCATE fires no row triggers: a statement trigger queues every embedding that vanishes.
begin;
select plan(4);

insert into public.source_documents (id, content)
select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'doc ' || n from generate_series(1, 3) as n;
select vector_sync_tests.embed(id) from public.source_documents;
select pgmq.purge_queue('vector_sync');

truncate public.document_embeddings;
select set_eq(
  $$select message ->> 'id' from pgmq.q_vector_sync$$,
  $$select id::text from public.source_documents$$,
  'truncating document_embeddings queues one message per embedding'
);

select vector_sync_tests.embed(id) from public.source_documents;
select pgmq.purge_queue('vector_sync');

truncate public.source_documents cascade;
select is((select count(*)::int from pgmq.q_vector_sync), 3, 'truncating source_documents (cascade) queues each embedding once');
select is((select count(distinct message ->> 'id')::int from pgmq.q_vector_sync), 3, 'the messages name the three documents');
select is((select count(*)::int from public.document_embeddings), 0, 'the embeddings are gone');

select * from finish();
rollback;

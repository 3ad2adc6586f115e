-- A metadata change of a document whose embedding is current is queued on vector_sync (one batch per
-- statement); content changes, documents without embedding and unchanged metadata are not.
begin;
select plan(7);

insert into public.source_documents (id, content, metadata)
select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'text ' || g, '{"lang": "en"}'
from generate_series(1, 5) as g;
insert into public.document_embeddings (document_id, content_hash, model, embedding)
select d.id, encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), 'test', array_fill(0.1::real, array[384])::extensions.vector
from public.source_documents as d
where d.id <> '00000000-0000-4000-8000-000000000005';
select pgmq.purge_queue('vector_sync');

create function pg_temp.queued() returns text[] language sql as $$
  select coalesce(array_agg(message ->> 'id' order by message ->> 'id'), '{}') from pgmq.q_vector_sync
$$;

update public.source_documents set metadata = '{"lang": "de"}' where id = '00000000-0000-4000-8000-000000000001';
select is(pg_temp.queued(), array['00000000-0000-4000-8000-000000000001'], 'a metadata-only change is queued for a sync');

update public.source_documents set metadata = '{"lang": "de"}' where id = '00000000-0000-4000-8000-000000000001';
select is(cardinality(pg_temp.queued()), 1, 'the same metadata again queues nothing more');

select pgmq.purge_queue('vector_sync');
update public.source_documents set content = 'new text', metadata = '{"lang": "fr"}' where id = '00000000-0000-4000-8000-000000000002';
select is(pg_temp.queued(), '{}'::text[], 'a content change is not queued here (it goes to embedding_jobs)');
select is((select count(*)::int from pgmq.q_embedding_jobs where message ->> 'id' = '00000000-0000-4000-8000-000000000002'), 1, 'the content change is queued for embedding');

update public.source_documents set content = 'text 3', metadata = '{"lang": "it"}' where id = '00000000-0000-4000-8000-000000000003';
select is(pg_temp.queued(), array['00000000-0000-4000-8000-000000000003'], 'content written again unchanged with new metadata: queued');

update public.source_documents set metadata = '{"lang": "nl"}' where id = '00000000-0000-4000-8000-000000000005';
select is(cardinality(pg_temp.queued()), 1, 'a document without embedding is not queued');

select pgmq.purge_queue('vector_sync');
select pgmq.purge_queue('embedding_jobs');
update public.source_documents set metadata = metadata || '{"reviewed": true}';
select is(cardinality(pg_temp.queued()), 4, 'a bulk metadata update queues every embedded document once');

select * from finish();
rollback;

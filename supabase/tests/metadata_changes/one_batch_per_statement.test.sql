-- The metadata trigger runs once per statement over its transition tables (a bulk update is one
-- send, not one per row), and compares metadata as jsonb (key order and spacing are no change).
begin;
select plan(4);

select is(
  (select (t.tgtype & 1) = 0 and t.tgoldtable is not null and t.tgnewtable is not null
   from pg_catalog.pg_trigger as t
   where t.tgrelid = 'public.source_documents'::regclass and t.tgname = 'source_documents_enqueue_metadata_changed'),
  true,
  'the trigger fires for each statement, with the old and new rows as tables'
);

insert into public.source_documents (id, content, metadata)
select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'text ' || g, '{"lang": "en", "tags": ["a"]}'
from generate_series(1, 3) as g;
insert into public.document_embeddings (document_id, content_hash, model, embedding)
select d.id, vector_sync_tests.hash(d.content), 'test', vector_sync_tests.embedding() from public.source_documents as d;
select pgmq.purge_queue('vector_sync');

update public.source_documents set metadata = '{ "tags": ["a"],   "lang": "en" }'::jsonb;
select is((select count(*)::int from pgmq.q_vector_sync), 0, 'the same metadata written with other key order queues nothing');

update public.source_documents set content = content || ' more' where id = '00000000-0000-4000-8000-000000000001';
select is((select count(*)::int from pgmq.q_vector_sync), 0, 'a content-only change is not queued on vector_sync by this trigger');

update public.source_documents set metadata = metadata || '{"lang": "de"}';
-- Content the statement leaves alone is not hashed again (a bulk update stays cheap): a document
-- still awaiting its new embedding is queued too, and written again when that embedding lands.
select is(
  (select array_agg(message ->> 'id' order by message ->> 'id') from pgmq.q_vector_sync),
  array['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'],
  'a bulk change queues every document with an embedding whose content the statement left alone'
);

select * from finish();
rollback;

-- The source table, the embedding sidecar, their index and the updated_at trigger.
begin;
select plan(12);

select has_table('public', 'source_documents', 'public.source_documents exists');
select has_table('public', 'document_embeddings', 'public.document_embeddings exists');
select col_is_pk('public', 'source_documents', 'id', 'source_documents is keyed by id');
select col_is_pk('public', 'document_embeddings', array['document_id', 'passage_no'], 'document_embeddings is keyed by document and passage');
select col_type_is('public', 'document_embeddings', 'embedding', 'extensions', 'vector(384)', 'embedding is extensions.vector(384)');
select col_is_fk('public', 'document_embeddings', 'document_id', 'document_id references source_documents');
select is(
  (select array_agg(indexdef::text) from pg_catalog.pg_indexes
   where schemaname = 'public' and tablename = 'document_embeddings' and indexdef ilike '%using hnsw%'),
  array['CREATE INDEX document_embeddings_embedding_hnsw ON public.document_embeddings USING hnsw (embedding extensions.vector_cosine_ops)'],
  'document_embeddings has exactly one HNSW index, with cosine ops'
);

insert into public.source_documents (id, content, created_at, updated_at)
values ('00000000-0000-4000-8000-000000000001', 'first', now() - interval '1 day', now() - interval '1 day');
select is(
  (select metadata from public.source_documents where id = '00000000-0000-4000-8000-000000000001'),
  '{}'::jsonb,
  'metadata defaults to an empty object'
);

update public.source_documents set metadata = '{"lang": "en"}' where id = '00000000-0000-4000-8000-000000000001';
select ok(
  (select updated_at > created_at from public.source_documents where id = '00000000-0000-4000-8000-000000000001'),
  'an update moves updated_at'
);

select vector_sync_tests.embed('00000000-0000-4000-8000-000000000001');
select throws_ok(
  $$insert into public.document_embeddings (document_id, content_hash, model, embedding)
    values ('00000000-0000-4000-8000-000000000001', repeat('a', 64), 'test:model', array_fill(0.1::real, array[3])::extensions.vector)$$,
  '22000',
  null,
  'an embedding of the wrong dimension is refused'
);
select throws_ok(
  $$insert into public.document_embeddings (document_id, content_hash, model, embedding)
    values ('00000000-0000-4000-8000-0000000000ff', repeat('a', 64), 'test:model', array_fill(0.1::real, array[384])::extensions.vector)$$,
  '23503',
  null,
  'an embedding without its document is refused'
);

delete from public.source_documents where id = '00000000-0000-4000-8000-000000000001';
select is(
  (select count(*)::int from public.document_embeddings),
  0,
  'deleting a document deletes its embedding'
);

select * from finish();
rollback;

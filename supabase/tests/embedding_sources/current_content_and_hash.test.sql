-- embedding_sources gives each document's current content and hash beside the sidecar's, as
-- embed-documents reads them; the hash is the one Web Crypto computes.
begin;
select plan(3);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select vector_sync_tests.embed('00000000-0000-4000-8000-000000000001', repeat('a', 64));

select results_eq(
  $$select document_id::text, content, content_hash, embedded_hash, embedded_model
    from vector_sync.embedding_sources(array['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-0000000000ff']::uuid[])$$,
  $$values
    ('00000000-0000-4000-8000-000000000001', 'one', encode(sha256(convert_to('one', 'UTF8')), 'hex'), repeat('a', 64), 'test:model'),
    ('00000000-0000-4000-8000-000000000002', 'two', encode(sha256(convert_to('two', 'UTF8')), 'hex'), null, null)$$,
  'embedding_sources gives current content and hash with the sidecar''s, and omits unknown ids'
);
select is(
  (select content_hash from vector_sync.embedding_sources(array['00000000-0000-4000-8000-000000000001']::uuid[])),
  encode(extensions.digest(convert_to('one', 'UTF8'), 'sha256'), 'hex'),
  'the content hash equals pgcrypto''s SHA-256 of the UTF-8 bytes'
);
select is(
  (select content_hash from vector_sync.embedding_sources(array['00000000-0000-4000-8000-000000000002']::uuid[])),
  '3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3',
  'the content hash is the hex SHA-256 that Web Crypto gives for "two"'
);

select * from finish();
rollback;

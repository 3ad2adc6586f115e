-- read_queue, delete_messages and embedding_sources, as the edge functions use them.
begin;
select plan(8);

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
select is(
  vector_sync.delete_messages('embedding_jobs', (select array_agg(msg_id) || array[-1::bigint] from got)),
  3::bigint,
  'delete_messages deletes the messages given and counts only those that existed'
);

insert into public.document_embeddings (document_id, content_hash, model, embedding)
values ('00000000-0000-4000-8000-000000000001', repeat('a', 64), 'test:model', array_fill(0.1::real, array[384])::extensions.vector);
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

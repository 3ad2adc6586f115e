-- write_embedding is a compare-and-set: it writes only the vector of the document's current content.
begin;
select plan(9);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'current text'),
  ('00000000-0000-4000-8000-000000000002', 'soon deleted'),
  ('00000000-0000-4000-8000-000000000003', '   ');

select ok(
  vector_sync.write_embedding(
    '00000000-0000-4000-8000-000000000001',
    encode(sha256(convert_to('current text', 'UTF8')), 'hex'),
    'test:model',
    array_fill(0.1::real, array[384])::extensions.vector
  ),
  'the vector of the current content is written'
);
select is(
  (select model from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001'),
  'test:model',
  'the sidecar row holds the model'
);

update public.source_documents set content = 'newer text' where id = '00000000-0000-4000-8000-000000000001';
select ok(
  not vector_sync.write_embedding(
    '00000000-0000-4000-8000-000000000001',
    encode(sha256(convert_to('current text', 'UTF8')), 'hex'),
    'test:model',
    array_fill(0.9::real, array[384])::extensions.vector
  ),
  'a vector of superseded content is refused'
);
select ok(
  (select embedding operator(extensions.=) array_fill(0.1::real, array[384])::extensions.vector
   from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001'),
  'the refused vector did not overwrite the stored one'
);

select ok(
  vector_sync.write_embedding(
    '00000000-0000-4000-8000-000000000001',
    encode(sha256(convert_to('newer text', 'UTF8')), 'hex'),
    'test:model-2',
    array_fill(0.2::real, array[384])::extensions.vector
  ),
  'the vector of the new content replaces the old one'
);
select is(
  (select content_hash from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001'),
  encode(sha256(convert_to('newer text', 'UTF8')), 'hex'),
  'the sidecar holds the new hash'
);

delete from public.source_documents where id = '00000000-0000-4000-8000-000000000002';
select ok(
  not vector_sync.write_embedding(
    '00000000-0000-4000-8000-000000000002',
    encode(sha256(convert_to('soon deleted', 'UTF8')), 'hex'),
    'test:model',
    array_fill(0.1::real, array[384])::extensions.vector
  ),
  'a vector of a deleted document is refused'
);
select ok(
  not vector_sync.write_embedding(
    '00000000-0000-4000-8000-000000000003',
    encode(sha256(convert_to('   ', 'UTF8')), 'hex'),
    'test:model',
    array_fill(0.1::real, array[384])::extensions.vector
  ),
  'a vector of blank content is refused'
);
select is(
  (select count(*)::int from public.document_embeddings where document_id <> '00000000-0000-4000-8000-000000000001'),
  0,
  'refused writes leave no row behind'
);

select * from finish();
rollback;

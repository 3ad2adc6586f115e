-- write_embeddings is a compare-and-set: it writes only the vectors of the document's current content.
begin;
select plan(9);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'current text'),
  ('00000000-0000-4000-8000-000000000002', 'soon deleted'),
  ('00000000-0000-4000-8000-000000000003', '   ');

select ok(
  vector_sync_tests.write_whole(
    '00000000-0000-4000-8000-000000000001',
    vector_sync_tests.hash('current text'),
    'test:model',
    vector_sync_tests.embedding(0.1)
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
  not vector_sync_tests.write_whole(
    '00000000-0000-4000-8000-000000000001',
    vector_sync_tests.hash('current text'),
    'test:model',
    vector_sync_tests.embedding(0.9)
  ),
  'a vector of superseded content is refused'
);
select ok(
  (select embedding operator(extensions.=) vector_sync_tests.embedding(0.1)
   from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001'),
  'the refused vector did not overwrite the stored one'
);

select ok(
  vector_sync_tests.write_whole(
    '00000000-0000-4000-8000-000000000001',
    vector_sync_tests.hash('newer text'),
    'test:model-2',
    vector_sync_tests.embedding(0.2)
  ),
  'the vector of the new content replaces the old one'
);
select is(
  (select content_hash from public.document_embeddings where document_id = '00000000-0000-4000-8000-000000000001'),
  vector_sync_tests.hash('newer text'),
  'the sidecar holds the new hash'
);

delete from public.source_documents where id = '00000000-0000-4000-8000-000000000002';
select ok(
  not vector_sync_tests.write_whole(
    '00000000-0000-4000-8000-000000000002',
    vector_sync_tests.hash('soon deleted'),
    'test:model',
    vector_sync_tests.embedding(0.1)
  ),
  'a vector of a deleted document is refused'
);
select ok(
  not vector_sync_tests.write_whole(
    '00000000-0000-4000-8000-000000000003',
    vector_sync_tests.hash('   '),
    'test:model',
    vector_sync_tests.embedding(0.1)
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

-- A document of several passages is indexed only when the active generation holds every passage of
-- its current content; the status counts its passages and the vectors held, and index_health counts
-- documents beside vectors.
begin;
select plan(6);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-0000000000d1', 'one. two. three.');
select vector_sync.write_embeddings(
  array_fill('00000000-0000-4000-8000-0000000000d1'::uuid, array[3]), array_fill(vector_sync_tests.hash('one. two. three.'), array[3]),
  array[0, 1, 2], array[vector_sync_tests.hash('one. '), vector_sync_tests.hash('two. '), vector_sync_tests.hash('three.')],
  array[0, 5, 10], array[5, 5, null], 'test:model',
  array[vector_sync_tests.embedding(0.1), vector_sync_tests.embedding(0.2), vector_sync_tests.embedding(0.3)]);
select pgmq.purge_queue('vector_sync');

-- Two of its three passages held.
select vector_sync.upsert_index_state('docsV1', array_fill('00000000-0000-4000-8000-0000000000d1'::text, array[2]),
  array_fill(vector_sync_tests.hash('one. two. three.'), array[2]), null, array[0, 1]);
select results_eq(
  $$ select status, passages::int, indexed_vectors::int from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000d1' $$,
  $$ values ('pending_sync', 3, 2) $$,
  'a document whose last passage the index lacks is still pending'
);
select is(
  (select count(*)::int from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000d1'),
  1, 'one row per document, not per passage'
);

-- All three held.
select vector_sync.upsert_index_state('docsV1', array['00000000-0000-4000-8000-0000000000d1'],
  array[vector_sync_tests.hash('one. two. three.')], null, array[2]);
select results_eq(
  $$ select status, passages::int, indexed_vectors::int from vector_sync.document_status where document_id = '00000000-0000-4000-8000-0000000000d1' $$,
  $$ values ('indexed', 3, 3) $$,
  'every passage held: indexed'
);

create temporary table health as select vector_sync.index_health('docs') as h;
select is((select (h #>> '{coverage,vectors}')::int from health), 3, 'coverage counts vectors');
select is((select (h #>> '{coverage,indexedDocuments}')::int from health), 1, 'and the documents they belong to');
select is((select (h #>> '{coverage,embeddedDocuments}')::int from health), 1, 'and the documents embedded');

select * from finish();
rollback;

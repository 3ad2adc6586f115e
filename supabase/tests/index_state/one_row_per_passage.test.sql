-- index_state holds one row per vector: a document's passages are recorded, forgotten and counted
-- one by one, and what a rebuilt generation lacks is found passage by passage.
begin;
select plan(8);

select vector_sync_tests.register_index();

select is(
  vector_sync.upsert_index_state('docsV1', array['doc-a', 'doc-a', 'doc-a', 'doc-b'],
    array_fill(encode(sha256('a'::bytea), 'hex'), array[4]), null, array[0, 1, 2, 0]),
  4, 'three passages of one document and one of another are recorded'
);
select results_eq(
  $$ select total_vectors, total_documents from vector_sync.index_stats('docsV1') $$,
  $$ values (4::bigint, 2::bigint) $$,
  'index_stats counts vectors and documents'
);
select is(vector_sync.delete_index_state('docsV1', array['doc-a'], array[2]), 1, 'one passage past a new end is forgotten');
select is(
  (select array_agg(passage_no order by passage_no) from vector_sync.index_state where document_id = 'doc-a'),
  array[0, 1], 'the others stay'
);
select is(vector_sync.delete_index_state('docsV1', array['doc-a']), 2, 'without passages, every passage of the document is forgotten');
select throws_ok(
  $$select vector_sync.upsert_index_state('docsV1', array['doc-x'], array[encode(sha256('x'::bytea), 'hex')], null, array[10000])$$,
  '22023', null, 'a passage number past 9999 is refused'
);

select vector_sync.delete_index_state('docsV1', array['doc-b']);

-- A rebuilt generation that holds the first passage of a document but not its second.
insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-0000000000c1', 'one. two.');
select vector_sync.write_embeddings(
  array_fill('00000000-0000-4000-8000-0000000000c1'::uuid, array[2]), array_fill(vector_sync_tests.hash('one. two.'), array[2]),
  array[0, 1], array[vector_sync_tests.hash('one. '), vector_sync_tests.hash('two.')], array[0, 5], array[5, null], 'test:model',
  array[vector_sync_tests.embedding(0.1), vector_sync_tests.embedding(0.2)]);
select pgmq.purge_queue('vector_sync');
select vector_sync.upsert_index_state('docsV1', array['00000000-0000-4000-8000-0000000000c1'], array[vector_sync_tests.hash('one. two.')]);
select is(
  vector_sync.queue_missing_from('docsV1', gen_random_uuid()), 1,
  'a document whose second passage the generation lacks is queued'
);
select is(
  (select array_agg(message ->> 'id') from pgmq.q_vector_sync),
  array['00000000-0000-4000-8000-0000000000c1'], 'once, by its document id'
);

select * from finish();
rollback;

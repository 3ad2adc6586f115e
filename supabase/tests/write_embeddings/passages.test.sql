-- A document of several passages is written whole: passages past a new end go, a passage sent
-- without a vector keeps the one held for the same text and model, and nothing is half written.
begin;
select plan(12);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-0000000000b1', 'alpha. beta. gamma.');
select pgmq.purge_queue('vector_sync');

-- Three passages, the last to the end of the content.
select set_eq(
  $$ select vector_sync.write_embeddings(
       array_fill('00000000-0000-4000-8000-0000000000b1'::uuid, array[3]), array_fill(vector_sync_tests.hash('alpha. beta. gamma.'), array[3]),
       array[0, 1, 2], array[vector_sync_tests.hash('alpha. '), vector_sync_tests.hash('beta. '), vector_sync_tests.hash('gamma.')],
       array[0, 7, 13], array[7, 6, null], 'test:model',
       array[vector_sync_tests.embedding(0.1), vector_sync_tests.embedding(0.2), vector_sync_tests.embedding(0.3)]) $$,
  $$ values ('00000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'a document of three passages is written'
);
select is((select count(*)::int from public.document_embeddings), 3, 'one sidecar row per passage');
select is(
  (select substr(d.content, e.passage_start + 1, coalesce(e.passage_chars, 1000)) from public.document_embeddings as e join public.source_documents as d on d.id = e.document_id where e.passage_no = 1),
  'beta. ', 'start and length give the passage''s text back'
);
select is((select count(*)::int from pgmq.q_vector_sync), 1, 'the document is queued for sync once');

-- It shrinks: the first passage keeps its text (no vector sent), the second is new, the third goes.
update public.source_documents set content = 'alpha. delta.' where id = '00000000-0000-4000-8000-0000000000b1';
select set_eq(
  $$ select vector_sync.write_embeddings(
       array_fill('00000000-0000-4000-8000-0000000000b1'::uuid, array[2]), array_fill(vector_sync_tests.hash('alpha. delta.'), array[2]),
       array[0, 1], array[vector_sync_tests.hash('alpha. '), vector_sync_tests.hash('delta.')],
       array[0, 7], array[7, null], 'test:model',
       array[null, vector_sync_tests.embedding(0.4)]::extensions.vector[]) $$,
  $$ values ('00000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the shrunk document is written'
);
select is((select count(*)::int from public.document_embeddings), 2, 'the passage past the new end is deleted');
select ok(
  (select embedding operator(extensions.=) vector_sync_tests.embedding(0.1) from public.document_embeddings where passage_no = 0),
  'a passage sent without a vector keeps the one held for its text'
);
select is(
  (select count(*)::int from public.document_embeddings where content_hash = vector_sync_tests.hash('alpha. delta.')),
  2, 'every passage carries the new content hash'
);

-- A passage without a vector whose text the sidecar does not hold: the document is not written.
update public.source_documents set content = 'omega.' where id = '00000000-0000-4000-8000-0000000000b1';
select is(
  (select count(*)::int from vector_sync.write_embeddings(
     array['00000000-0000-4000-8000-0000000000b1']::uuid[], array[vector_sync_tests.hash('omega.')],
     array[0], array[null]::text[], array[0], array[null]::integer[], 'test:model', array[null]::extensions.vector[])),
  0, 'a document with a passage that has no vector to keep is not written'
);
select is((select count(*)::int from public.document_embeddings where content_hash = vector_sync_tests.hash('alpha. delta.')), 2, 'and its rows stay as they were');

-- Another model keeps nothing: every passage needs its vector.
select is(
  (select count(*)::int from vector_sync.write_embeddings(
     array_fill('00000000-0000-4000-8000-0000000000b1'::uuid, array[1]), array[vector_sync_tests.hash('omega.')],
     array[0], array[null]::text[], array[0], array[null]::integer[], 'test:other', array[vector_sync_tests.embedding(0.5)])),
  1, 'a document of one passage replaces the two'
);
select results_eq(
  $$ select passage_no, passage_hash, model from public.document_embeddings order by passage_no $$,
  $$ values (0, null::text, 'test:other') $$,
  'one row, the whole content, of the new model'
);

select * from finish();
rollback;

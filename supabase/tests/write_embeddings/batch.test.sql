-- write_embeddings writes a batch of documents in one statement, the same compare-and-set per document.
begin;
select plan(8);

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-0000000000a1', 'first'),
  ('00000000-0000-4000-8000-0000000000a2', 'second'),
  ('00000000-0000-4000-8000-0000000000a3', 'third');
update public.source_documents set content = 'third, edited' where id = '00000000-0000-4000-8000-0000000000a3';
select pgmq.purge_queue('vector_sync');

select set_eq(
  $$ select vector_sync.write_embeddings(
       array['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-0000000000ff']::uuid[],
       array[vector_sync_tests.hash('first'), vector_sync_tests.hash('second'),
             vector_sync_tests.hash('third'), vector_sync_tests.hash('gone')],
       array[0, 0, 0, 0], array[null, null, null, null]::text[], array[0, 0, 0, 0], array[null, null, null, null]::integer[],
       'test:model',
       array[vector_sync_tests.embedding(0.1), vector_sync_tests.embedding(0.2),
             vector_sync_tests.embedding(0.3), vector_sync_tests.embedding(0.4)]) $$,
  $$ values ('00000000-0000-4000-8000-0000000000a1'::uuid), ('00000000-0000-4000-8000-0000000000a2'::uuid) $$,
  'only the rows whose content hash is current are accepted'
);
select is((select count(*)::int from public.document_embeddings), 2, 'two sidecar rows are written');
select ok(not exists (select 1 from public.document_embeddings where document_id = '00000000-0000-4000-8000-0000000000a3'), 'the vector of superseded content is refused');
select is((select count(*)::int from pgmq.q_vector_sync), 2, 'each written embedding is enqueued for sync once');

select throws_ok(
  $$ select vector_sync.write_embeddings(
       array['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a1']::uuid[],
       array[vector_sync_tests.hash('first'), vector_sync_tests.hash('first')],
       array[0, 0], array[null, null]::text[], array[0, 0], array[null, null]::integer[],
       'test:model',
       array[vector_sync_tests.embedding(0.5), vector_sync_tests.embedding(0.6)]) $$,
  '22023', null, 'a passage given twice is refused'
);
select throws_ok(
  $$ select vector_sync.write_embeddings(
       array['00000000-0000-4000-8000-0000000000a1']::uuid[], array[vector_sync_tests.hash('first')],
       array[1], array[null]::text[], array[0], array[null]::integer[], 'test:model', array[vector_sync_tests.embedding(0.5)]) $$,
  '22023', null, 'passages that do not start at 0 are refused'
);
select throws_ok(
  $$ select vector_sync.write_embeddings(array[gen_random_uuid()], array[]::text[], array[]::integer[], array[]::text[], array[]::integer[], array[]::integer[], 'm', array[]::extensions.vector[]) $$,
  '22023', null, 'arrays of different lengths are refused'
);
set local role anon;
select throws_ok(
  $$ select vector_sync.write_embeddings(array[]::uuid[], array[]::text[], array[]::integer[], array[]::text[], array[]::integer[], array[]::integer[], 'm', array[]::extensions.vector[]) $$,
  '42501', null, 'anon cannot execute write_embeddings'
);
reset role;

select * from finish();
rollback;

-- Coverage: what the active generation holds against the embeddings and the documents.
begin;
select plan(9);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
-- A generation being rebuilt beside it: what it holds is not what queries see.
select vector_sync_tests.register_index('docsV2');

insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'held'),
  ('00000000-0000-4000-8000-000000000002', 'held too'),
  ('00000000-0000-4000-8000-000000000003', 'embedded, not held'),
  ('00000000-0000-4000-8000-000000000004', 'waiting for its embedding'),
  ('00000000-0000-4000-8000-000000000005', '   ');
select vector_sync_tests.embed(id) from public.source_documents where content ~ 'held';
select vector_sync.upsert_index_state('docsV1',
  array['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'],
  array[vector_sync_tests.hash('held'), vector_sync_tests.hash('held too')]);
select vector_sync.upsert_index_state('docsV2',
  array['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'],
  array[vector_sync_tests.hash('held'), vector_sync_tests.hash('held too'), vector_sync_tests.hash('embedded, not held')]);

create temporary table health as select vector_sync.index_health('docs') as h;

select is((select h ->> 'indexName' from health), 'docsV1', 'the active generation is named');
select is((select (h #>> '{coverage,vectors}')::int from health), 2, 'vectors: the rows index_state holds for the active generation only');
select is((select (h #>> '{coverage,embeddings}')::int from health), 3, 'embeddings: the sidecar rows');
select is((select (h #>> '{coverage,documents}')::int from health), 5, 'documents: every source row');
select is((select (h #>> '{coverage,withoutEmbedding}')::int from health), 1, 'documents with content and no embedding');
select is((select (h #>> '{coverage,blank}')::int from health), 1, 'blank documents are counted apart: they are never embedded');
select is((select (h #>> '{coverage,ratio}')::numeric from health), 0.6667, 'the ratio is vectors / embeddings');

select throws_ok(
  $$select vector_sync.index_health('nope')$$, 'P0002', 'no index is registered under the logical name nope',
  'an unknown logical name is refused'
);
select throws_ok(
  $$select vector_sync.index_health('docs', now(), now() - interval '1 minute')$$, '22023', null,
  'a window that ends before it starts is refused'
);

select * from finish();
rollback;

-- The ledger tables exist with their keys, checks and row level security.
begin;
select plan(22);

select has_table('vector_sync', 'indexes', 'indexes exists');
select has_table('vector_sync', 'runs', 'runs exists');
select has_table('vector_sync', 'run_items', 'run_items exists');
select has_table('vector_sync', 'chunks', 'chunks exists');
select has_table('vector_sync', 'rejections', 'rejections exists');
select has_table('vector_sync', 'index_state', 'index_state exists');
select has_view('vector_sync', 'run_history', 'run_history exists');

select is(
  (select count(*)::int from pg_catalog.pg_class as c
   join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'vector_sync' and c.relkind = 'r' and c.relrowsecurity
     and c.relname in ('indexes', 'runs', 'run_items', 'chunks', 'rejections', 'index_state')),
  6,
  'row level security is on for all six ledger tables'
);

select col_is_pk('vector_sync', 'runs', 'run_id', 'runs is keyed by run_id');
select col_is_pk('vector_sync', 'run_items', array['run_id', 'document_id'], 'run_items is keyed by run and document');
select col_is_pk('vector_sync', 'chunks', array['run_id', 'chunk_no'], 'chunks is keyed by run and chunk number');
select col_is_pk('vector_sync', 'index_state', array['index_name', 'document_id', 'passage_no'], 'index_state is keyed by index, document and passage (one row per vector)');
select col_type_is('vector_sync', 'run_items', 'document_id', 'text', 'document ids are text in the ledger');
select col_is_unique('vector_sync', 'runs', 'source_event_id', 'one run per source event id');

insert into vector_sync.indexes (index_name, logical_name, bucket, dimension, metric)
values ('docsV1', 'docs', 'vector-bucket', 384, 'cosine');

select throws_ok(
  $$insert into vector_sync.indexes (index_name, logical_name, bucket, dimension, metric) values ('docsV2', 'docs', 'vector-bucket', 384, 'dot')$$,
  '23514', null, 'an unknown metric is refused'
);
select throws_ok(
  $$insert into vector_sync.indexes (index_name, logical_name, bucket, dimension, metric) values ('docs-v2', 'docs', 'vector-bucket', 384, 'cosine')$$,
  '23514', null, 'an index name with a hyphen is refused'
);
select throws_ok(
  $$insert into vector_sync.runs (source_event_id, op, index_name) values ('evt-bad-op', 'copy', 'docsV1')$$,
  '23514', null, 'an unknown run op is refused'
);
select throws_ok(
  $$insert into vector_sync.runs (source_event_id, op, index_name, state) values ('evt-bad-state', 'sync', 'docsV1', 'paused')$$,
  '23514', null, 'an unknown run state is refused'
);
select throws_ok(
  $$insert into vector_sync.runs (source_event_id, op, index_name) values ('evt-no-index', 'sync', 'nosuchIndex')$$,
  '23503', null, 'a run on an unregistered index is refused'
);

insert into vector_sync.runs (source_event_id, op, index_name) values ('evt-1', 'sync', 'docsV1');

select throws_ok(
  $$insert into vector_sync.run_items (run_id, document_id) select run_id, '' from vector_sync.runs where source_event_id = 'evt-1'$$,
  '23514', null, 'an empty document id is refused'
);
select throws_ok(
  $$insert into vector_sync.run_items (run_id, document_id) select run_id, repeat('a', 1025) from vector_sync.runs where source_event_id = 'evt-1'$$,
  '23514', null, 'a document id over 1024 bytes is refused'
);
select throws_ok(
  $$insert into vector_sync.rejections (run_id, document_id, reason) select run_id, 'doc-1', 'TooUgly' from vector_sync.runs where source_event_id = 'evt-1'$$,
  '23514', null, 'a rejection reason outside ValidationReasons is refused'
);

select * from finish();
rollback;

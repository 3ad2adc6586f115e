-- anon and authenticated can neither read nor write the documents, the sidecar, the queue tables
-- of this project, nor call the queue helpers.
begin;
select plan(17);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-000000000001', 'secret');
create temporary table queue_functions as
select unnest(array[
  'read_queue', 'embedding_sources', 'write_embeddings', 'delete_messages', 'retry_or_park', 'enqueue_drift',
  'send_unless_waiting', 'enqueue_inserted_documents', 'enqueue_changed_document', 'enqueue_inserted_embeddings',
  'enqueue_changed_embedding', 'enqueue_deleted_embeddings', 'enqueue_truncated_embeddings', 'enqueue_metadata_changes', 'touch_updated_at',
  'schedule_cron_jobs'
]) as name;

select ok(
  (select bool_and(c.relrowsecurity)
   from pg_catalog.pg_class as c
   where c.oid in ('public.source_documents'::regclass, 'public.document_embeddings'::regclass,
                   'vector_sync.dead_letters'::regclass, 'vector_sync.schedules'::regclass)),
  'row level security is on for the documents, the sidecar, dead_letters and schedules'
);
select is(
  (select count(*)::int from pg_catalog.pg_policies
   where (schemaname, tablename) in (('public', 'source_documents'), ('public', 'document_embeddings'),
                                     ('vector_sync', 'dead_letters'), ('vector_sync', 'schedules'))),
  0,
  'no policy opens them to anyone'
);
select is(
  vector_sync_tests.executable_by_api_roles(array(select name from queue_functions)),
  0,
  'no queue helper or trigger function is executable by public, anon or authenticated'
);
select is(
  vector_sync_tests.with_empty_search_path(array(select name from queue_functions)),
  16,
  'every one of the 16 functions sets an empty search_path'
);
select ok(
  not has_table_privilege('anon', 'vector_sync.queue_depth', 'select')
    and not has_table_privilege('anon', 'vector_sync.dead_letter_counts', 'select')
    and not has_table_privilege('anon', 'vector_sync.documents_without_embedding', 'select')
    and not has_table_privilege('anon', 'vector_sync.stale_embeddings', 'select'),
  'anon holds no select privilege on the monitoring views'
);

set local role anon;
select throws_ok($$select * from public.source_documents$$, '42501', null, 'anon cannot read source_documents');
select throws_ok($$insert into public.source_documents (content) values ('spam')$$, '42501', null, 'anon cannot insert source_documents');
select throws_ok($$select * from public.document_embeddings$$, '42501', null, 'anon cannot read document_embeddings');
select throws_ok($$delete from public.document_embeddings$$, '42501', null, 'anon cannot delete document_embeddings');
select throws_ok($$select * from vector_sync.dead_letters$$, '42501', null, 'anon cannot read dead_letters');
select throws_ok($$insert into vector_sync.schedules (name, schedule, command) values ('evil', '10 seconds', 'select 1')$$, '42501', null, 'anon cannot add schedules');
select throws_ok($$select * from vector_sync.queue_depth$$, '42501', null, 'anon cannot read queue_depth');
select throws_ok($$select * from vector_sync.read_queue('embedding_jobs', 30, 10)$$, '42501', null, 'anon cannot execute read_queue');
select throws_ok(
  $$select vector_sync.write_embeddings(array['00000000-0000-4000-8000-000000000001']::uuid[], array[repeat('a', 64)], array[0], array[null]::text[], array[0], array[null]::integer[], 'x', array[array_fill(0::real, array[384])::extensions.vector], true)$$,
  '42501', null, 'anon cannot execute write_embeddings'
);
select throws_ok($$select vector_sync.enqueue_drift()$$, '42501', null, 'anon cannot execute enqueue_drift');
reset role;

set local role authenticated;
select throws_ok($$update public.source_documents set content = 'defaced'$$, '42501', null, 'authenticated cannot update source_documents');
select throws_ok($$select * from vector_sync.embedding_sources(array[gen_random_uuid()])$$, '42501', null, 'authenticated cannot execute embedding_sources');
reset role;

select * from finish();
rollback;

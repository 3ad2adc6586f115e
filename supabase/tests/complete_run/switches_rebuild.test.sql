-- complete_run ends a rebuild with its switch-over in the same transaction: the generation is
-- activated (the old one retired), and an embedding it lacks (written behind the load) is queued
-- for a sync. A worker that dies after its last chunk changes nothing of this.
begin;
select plan(6);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-000000000001', 'one'),
  ('00000000-0000-4000-8000-000000000002', 'two');
select vector_sync_tests.embed(id) from public.source_documents;

-- A rebuild into docsV2 whose one chunk loaded both documents, then its worker died.
select vector_sync_tests.register_index('docsV2');
select vector_sync.open_run('evt-full', 'rebuild', 'docsV2');
select vector_sync.add_chunk(vector_sync_tests.run_id('evt-full'), 0, '{"after": null, "through": null}');
select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-full'), 1);
select vector_sync_tests.dispatch_chunk('evt-full', 0, 'c-full0');
select vector_sync.upsert_index_state('docsV2',
  array['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'],
  array[vector_sync_tests.hash('one'), vector_sync_tests.hash('two')]);
select vector_sync_tests.succeed_chunk('evt-full', 0, '{"upserted": 2}');

select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-full'))).state, 'completed', 'a rebuild whose generation holds every embedding completes');
select results_eq(
  $$ select index_name, state from vector_sync.indexes order by index_name $$,
  $$ values ('docsV1', 'retired'), ('docsV2', 'active') $$,
  'and its generation is switched to in the same move'
);

-- A rebuild into docsV3 that loaded only one of the two: the other was written behind it.
select vector_sync_tests.register_index('docsV3');
select vector_sync.open_run('evt-short', 'rebuild', 'docsV3');
select vector_sync.add_chunk(vector_sync_tests.run_id('evt-short'), 0, '{"after": null, "through": null}');
select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-short'), 1);
select vector_sync_tests.dispatch_chunk('evt-short', 0, 'c-short0');
select vector_sync.upsert_index_state('docsV3', array['00000000-0000-4000-8000-000000000001'], array[vector_sync_tests.hash('one')]);
select vector_sync_tests.succeed_chunk('evt-short', 0, '{"upserted": 1}');
delete from pgmq.q_vector_sync;

select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-short'))).state, 'completed', 'a rebuild whose chunks all succeeded completes');
select is((select state from vector_sync.indexes where index_name = 'docsV3'), 'active', 'its generation is switched to');
select results_eq(
  $$ select message ->> 'id' from pgmq.q_vector_sync $$,
  $$ values ('00000000-0000-4000-8000-000000000002') $$,
  'the embedding it lacks is queued for a sync, which writes it into the generation'
);
select is((vector_sync.complete_run(vector_sync_tests.run_id('evt-short'))).state, 'completed', 'completing it again changes nothing');

select * from finish();
rollback;

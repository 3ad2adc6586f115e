-- At the end of a rebuild, queue_missing_from queues for a sync what the new generation may hold
-- wrong, not only what it lacks: a vector held for another content (an edit a late write
-- overwrote) or for no embedding at all (a document deleted meanwhile).
begin;
select plan(3);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');
insert into public.source_documents (id, content) values
  ('00000000-0000-4000-8000-0000000000d1', 'right'),
  ('00000000-0000-4000-8000-0000000000d2', 'edited'),
  ('00000000-0000-4000-8000-0000000000d4', 'refused'),
  ('00000000-0000-4000-8000-0000000000d5', 'lacked');
select vector_sync_tests.embed(id) from public.source_documents;

select vector_sync_tests.register_index('docsV2');
select vector_sync.open_run('evt-rebuild', 'rebuild', 'docsV2');
-- What the generation holds: d1 as it is, d2 as it was before an edit, d6 whose document is gone.
select vector_sync.upsert_index_state('docsV2',
  array['00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000d6'],
  array[vector_sync_tests.hash('right'), vector_sync_tests.hash('before the edit'), vector_sync_tests.hash('deleted')]);
-- d4 was refused by this run; d5 the generation lacks.
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-rebuild'), null, '00000000-0000-4000-8000-0000000000d4', 'DimensionMismatch', 'expected 384');
delete from pgmq.q_vector_sync;

select is(vector_sync.queue_missing_from('docsV2', vector_sync_tests.run_id('evt-rebuild')), 3, 'three documents are queued');
select results_eq(
  $$ select message ->> 'id' from pgmq.q_vector_sync order by 1 $$,
  $$ values ('00000000-0000-4000-8000-0000000000d2'), ('00000000-0000-4000-8000-0000000000d5'), ('00000000-0000-4000-8000-0000000000d6') $$,
  'a vector held for another content, an embedding lacked and a vector held with no embedding, each once; not the right one nor the refused one'
);

delete from pgmq.q_vector_sync;
select vector_sync.queue_missing_from('docsV2', gen_random_uuid());
select results_eq(
  $$ select message ->> 'id' from pgmq.q_vector_sync order by 1 $$,
  $$ values ('00000000-0000-4000-8000-0000000000d2'), ('00000000-0000-4000-8000-0000000000d4'),
            ('00000000-0000-4000-8000-0000000000d5'), ('00000000-0000-4000-8000-0000000000d6') $$,
  'another run''s refusal is lacked like any'
);

select * from finish();
rollback;

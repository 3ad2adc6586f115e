-- A lookup by document id is answered from indexes: no table of documents, embeddings, run items
-- or index state is scanned whole.
begin;
select plan(2);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');

create function pg_temp.plan_of(p_query text)
returns text
language plpgsql
as $$
declare
  v_line text;
  v_plan text := '';
begin
  for v_line in execute 'explain ' || p_query loop
    v_plan := v_plan || v_line || E'\n';
  end loop;
  return v_plan;
end
$$;

-- The planner picks sequential scans on tiny tables; switched off, any left are unavoidable ones.
set local enable_seqscan = off;
create temporary table plan as
select pg_temp.plan_of($$select * from vector_sync.document_status where document_id = '00000000-0000-4000-8000-000000000001'$$) as p;

select doesnt_match(
  (select p from plan),
  'Seq Scan on (source_documents|document_embeddings|run_items|index_state|change_batch_items)\M',
  'no big table is scanned whole'
);
select matches(
  (select p from plan),
  'source_documents_id_text',
  'the document is found through its id as text'
);

select * from finish();
rollback;

-- A generation records the non-filterable metadata keys its OSS index is created with: new
-- registrations take the snippet as non-filterable; registering again keeps what the row holds.
begin;
select plan(4);

select is(
  (vector_sync.register_index('docsV7', 'docs', 'vector-bucket', 384, 'cosine')).non_filterable_keys,
  array['snippet'],
  'a new generation registered without keys gets {snippet}'
);

-- As a generation created before snippets existed holds it (its OSS index has no non-filterable key).
update vector_sync.indexes set non_filterable_keys = '{}' where index_name = 'docsV7';
select is(
  (vector_sync.register_index('docsV7', 'docs', 'vector-bucket', 384, 'cosine')).non_filterable_keys,
  '{}'::text[],
  'registering an existing generation again keeps its keys (OSS index settings never change)'
);
select throws_ok(
  $$update vector_sync.indexes set non_filterable_keys = array['k1','k2','k3','k4','k5','k6','k7','k8','k9','k10','k11'] where index_name = 'docsV7'$$,
  '23514', null, 'more than 10 non-filterable keys are refused'
);
select throws_ok(
  $$update vector_sync.indexes set non_filterable_keys = null where index_name = 'docsV7'$$,
  '23502', null, 'the keys are never null'
);

select * from finish();
rollback;

-- open_run keeps a run's params (a verify's heal flag, a search's queries) and checks their shape.
begin;
select plan(7);

select vector_sync_tests.register_index();

select is(
  (vector_sync.open_run('evt-verify', 'verify', 'docsV1', null, null, '{"heal": false}')).params,
  '{"heal": false}'::jsonb,
  'a verify run keeps its heal flag'
);
select is((vector_sync.open_run('evt-rebuild', 'rebuild', 'docsV1')).params, '{}'::jsonb, 'a run without params gets an empty object');
select is(
  (vector_sync.open_run('evt-search', 'search', 'docsV1', null, 'ops@example.com', '{"queries": [{"text": "harbour"}], "topK": 5}')).op,
  'search',
  'a search run opens with its queries'
);
select is(
  (select params -> 'queries' -> 0 ->> 'text' from vector_sync.runs where source_event_id = 'evt-search'),
  'harbour',
  'the search queries are stored with the run'
);
select throws_ok(
  $$select vector_sync.open_run('evt-bare-search', 'search', 'docsV1')$$,
  '22023', 'a search run needs params.queries', 'a search run without queries is refused'
);
select throws_ok(
  $$select vector_sync.open_run('evt-array', 'verify', 'docsV1', null, null, '[]')$$,
  '22023', null, 'params that are not an object are refused'
);
select throws_ok(
  $$select vector_sync.open_run('evt-ids', 'search', 'docsV1', array['doc-a'], null, '{"queries": []}')$$,
  '22023', null, 'a search run takes no ids'
);

select * from finish();
rollback;

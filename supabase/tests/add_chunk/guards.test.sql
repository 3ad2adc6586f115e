-- add_chunk adds a chunk once, checks its selector, and adds nothing once the run is chunked.
begin;
select plan(5);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b']);
select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 0, '{"ids": ["doc-a"]}');

select lives_ok(
  $$select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 1, '{"ids": ["doc-b"]}')$$,
  'the missing chunk can be added'
);
select lives_ok(
  $$select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 1, '{"ids": ["doc-b"]}')$$,
  'adding the same chunk again is harmless'
);
select throws_ok(
  $$select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 1, '{"ids": ["doc-z"]}')$$,
  '42710', null, 'adding a chunk again with another selector raises'
);
select throws_ok(
  $$select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 2, '{"from": 1}')$$,
  '22023', null, 'a selector that is neither ids nor a key range is refused'
);

select vector_sync.mark_run_chunked(vector_sync_tests.run_id('evt-1'), 2);
select throws_ok(
  $$select vector_sync.add_chunk(vector_sync_tests.run_id('evt-1'), 2, '{"ids": ["doc-c"]}')$$,
  '55000', null, 'no chunk can be added once the run is chunked'
);

select * from finish();
rollback;

-- Every state move checks the state it starts from; repeats are harmless, impossible moves raise.
begin;
select plan(16);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a"]}');
end
$$;

select throws_ok(
  $$select vector_sync.mark_chunk_dispatched((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1')$$,
  '55000', null, 'a chunk of a run that is not chunked yet cannot be dispatched'
);
select throws_ok(
  $$select vector_sync.mark_run_chunked((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 2)$$,
  '55000', null, 'a run cannot be marked chunked with chunks missing'
);
select lives_ok(
  $$select vector_sync.add_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 1, '{"ids": ["doc-b"]}')$$,
  'the missing chunk can be added'
);
select lives_ok(
  $$select vector_sync.add_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 1, '{"ids": ["doc-b"]}')$$,
  'adding the same chunk again is harmless'
);
select throws_ok(
  $$select vector_sync.add_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 1, '{"ids": ["doc-z"]}')$$,
  '42710', null, 'adding a chunk again with another selector raises'
);
select throws_ok(
  $$select vector_sync.add_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 2, '{"from": 1}')$$,
  '22023', null, 'a selector that is neither ids nor a key range is refused'
);

select is(
  (vector_sync.mark_run_chunked((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 2)).state,
  'chunked',
  'accepted moves to chunked once every chunk exists'
);
select is(
  (vector_sync.mark_run_chunked((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 2)).state,
  'chunked',
  'marking the run chunked twice is harmless'
);
select throws_ok(
  $$select vector_sync.mark_run_chunked((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 3)$$,
  '55000', null, 'marking it chunked with another chunk count raises'
);
select throws_ok(
  $$select vector_sync.add_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 2, '{"ids": ["doc-c"]}')$$,
  '55000', null, 'no chunk can be added once the run is chunked'
);

select throws_ok(
  $$select vector_sync.finish_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, true, '{"upserted": 1}', null)$$,
  '55000', null, 'a ready chunk cannot finish'
);
select throws_ok(
  $$select vector_sync.mark_chunk_running((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0)$$,
  '55000', null, 'a ready chunk cannot start running'
);
select throws_ok(
  $$select vector_sync.mark_chunk_running((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 7)$$,
  'P0002', null, 'an unknown chunk raises no_data_found'
);

do $$
begin
  perform vector_sync.mark_chunk_dispatched((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1');
end
$$;
select is(
  (vector_sync.mark_chunk_dispatched((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, 'c-abcd1', 't-abcd1', 'i-abcd1')).attempts,
  1,
  'the same dispatch reported twice counts one attempt'
);
select throws_ok(
  $$select vector_sync.mark_chunk_dispatched((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, 'c-other', 't-other', 'i-abcd1')$$,
  '55000', null, 'a chunk in flight cannot be dispatched by another command'
);
select throws_ok(
  $$select vector_sync.finish_chunk((select run_id from vector_sync.runs where source_event_id = 'evt-1'), 0, true, '{"upserted": -1}', null)$$,
  '22023', null, 'a negative count in the result is refused'
);

select * from finish();
rollback;

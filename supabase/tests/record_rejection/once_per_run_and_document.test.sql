-- A refused vector is recorded once per run and document, with a known reason.
begin;
select plan(8);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'sync', 'docsV1', array['doc-a', 'doc-b'])).run_id;
  perform vector_sync.add_chunk(r, 0, '{"ids": ["doc-a", "doc-b"]}');
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select is(
  (vector_sync.record_rejection((select run_id from the_run), 0, 'doc-a', 'DimensionMismatch', 'got 768, index has 384')).reason,
  'DimensionMismatch',
  'a rejection is recorded with its reason'
);
select is(
  (vector_sync.record_rejection((select run_id from the_run), 0, 'doc-a', 'NonFiniteValue', 'retried chunk')).reason,
  'DimensionMismatch',
  'recording the same document again returns the first rejection'
);
select is(
  (select count(*)::int from vector_sync.rejections where run_id = (select run_id from the_run)),
  1,
  'one rejection per run and document'
);
select is(
  (vector_sync.record_rejection((select run_id from the_run), null, 'doc-b', 'InvalidKey', 'refused before chunking')).chunk_no,
  null::int,
  'a rejection before chunking has no chunk number'
);
select throws_ok(
  $$select vector_sync.record_rejection((select run_id from the_run), 0, 'doc-c', 'Ugly', null)$$,
  '22023', null, 'a reason outside ValidationReasons is refused'
);
select throws_ok(
  $$select vector_sync.record_rejection((select run_id from the_run), 9, 'doc-c', 'InvalidKey', null)$$,
  'P0002', null, 'a rejection in an unknown chunk is refused'
);
select throws_ok(
  $$insert into vector_sync.rejections (run_id, document_id, chunk_no, reason) select run_id, 'doc-a', 0, 'InvalidKey' from the_run$$,
  '23505', null, 'the table itself refuses a second rejection of a document in a run'
);
do $$ begin perform vector_sync.open_run('evt-2', 'sync', 'docsV1', array['doc-a']); end $$;
select is(
  (vector_sync.record_rejection(
    (select run_id from vector_sync.runs where source_event_id = 'evt-2'), null, 'doc-a', 'ZeroVectorOnCosine', null
  )).reason,
  'ZeroVectorOnCosine',
  'the same document can be rejected again in another run'
);

select * from finish();
rollback;

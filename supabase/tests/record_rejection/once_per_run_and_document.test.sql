-- A refused vector is recorded once per run and document, with a known reason.
begin;
select plan(8);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'sync', array['doc-a', 'doc-b'], 2);

select is(
  (vector_sync.record_rejection(vector_sync_tests.run_id('evt-1'), 0, 'doc-a', 'DimensionMismatch', 'got 768, index has 384')).reason,
  'DimensionMismatch',
  'a rejection is recorded with its reason'
);
select is(
  (vector_sync.record_rejection(vector_sync_tests.run_id('evt-1'), 0, 'doc-a', 'NonFiniteValue', 'retried chunk')).reason,
  'DimensionMismatch',
  'recording the same document again returns the first rejection'
);
select is(
  (select count(*)::int from vector_sync.rejections where run_id = vector_sync_tests.run_id('evt-1')),
  1,
  'one rejection per run and document'
);
select is(
  (vector_sync.record_rejection(vector_sync_tests.run_id('evt-1'), null, 'doc-b', 'InvalidKey', 'refused before chunking')).chunk_no,
  null::int,
  'a rejection before chunking has no chunk number'
);
select throws_ok(
  $$select vector_sync.record_rejection(vector_sync_tests.run_id('evt-1'), 0, 'doc-c', 'Ugly', null)$$,
  '22023', null, 'a reason outside ValidationReasons is refused'
);
select throws_ok(
  $$select vector_sync.record_rejection(vector_sync_tests.run_id('evt-1'), 9, 'doc-c', 'InvalidKey', null)$$,
  'P0002', null, 'a rejection in an unknown chunk is refused'
);
select throws_ok(
  $$insert into vector_sync.rejections (run_id, document_id, chunk_no, reason) values (vector_sync_tests.run_id('evt-1'), 'doc-a', 0, 'InvalidKey')$$,
  '23505', null, 'the table itself refuses a second rejection of a document in a run'
);
select vector_sync_tests.open_run('evt-2', 'sync', array['doc-a']);
select is(
  (vector_sync.record_rejection(vector_sync_tests.run_id('evt-2'), null, 'doc-a', 'ZeroVectorOnCosine', null)).reason,
  'ZeroVectorOnCosine',
  'the same document can be rejected again in another run'
);

select * from finish();
rollback;

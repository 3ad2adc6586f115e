-- Over the window: drift found and healed by finished verify runs, rejections by reason, and the
-- 12-bucket series of vectors indexed and p95 lag.
begin;
select plan(11);

select vector_sync_tests.register_index('docsV1');
select vector_sync.activate_index('docsV1');

-- Three verify runs: one finished in the window (two chunks), one before it, one after it.
create function pg_temp.finished_verify(p_event text, p_accepted timestamptz, p_finished timestamptz, p_results jsonb[])
returns void
language plpgsql
as $$
declare
  v_run uuid := (vector_sync.open_run(p_event, 'verify', 'docsV1')).run_id;
begin
  for i in 1 .. cardinality(p_results) loop
    perform vector_sync.add_chunk(v_run, i - 1, '{"after": null, "through": null}');
  end loop;
  perform vector_sync.mark_run_chunked(v_run, cardinality(p_results));
  for i in 1 .. cardinality(p_results) loop
    perform vector_sync.mark_chunk_dispatched(v_run, i - 1, p_event || '-c' || i, 't-' || i, 'i-inst0');
    perform vector_sync.finish_chunk(v_run, i - 1, true, p_results[i], null);
  end loop;
  perform vector_sync.complete_run(v_run);
  update vector_sync.runs set accepted_at = p_accepted, completed_at = p_finished where run_id = v_run;
end
$$;
select pg_temp.finished_verify('evt-verify', '2026-01-01 00:05+00', '2026-01-01 00:06+00', array[
  '{"upserted": 0, "deleted": 0, "skipped": 9, "rejected": 0, "failed": 0, "drift": {"rejected": 1, "missing": 2, "stale": 1, "orphaned": 3, "examples": []}, "healed": 6}',
  '{"upserted": 0, "deleted": 0, "skipped": 4, "rejected": 0, "failed": 0, "drift": {"rejected": 0, "missing": 1, "stale": 0, "orphaned": 0, "examples": []}, "healed": 1}'
]::jsonb[]);
select pg_temp.finished_verify('evt-verify-old', '2025-12-31 11:00+00', '2025-12-31 12:00+00', array[
  '{"upserted": 0, "deleted": 0, "skipped": 1, "rejected": 0, "failed": 0, "drift": {"rejected": 0, "missing": 50, "stale": 50, "orphaned": 50, "examples": []}, "healed": 150}'
]::jsonb[]);
select pg_temp.finished_verify('evt-verify-later', '2026-01-01 00:10+00', '2026-01-01 00:30+00', array[
  '{"upserted": 0, "deleted": 0, "skipped": 1, "rejected": 0, "failed": 0, "drift": {"rejected": 0, "missing": 70, "stale": 70, "orphaned": 70, "examples": []}, "healed": 210}'
]::jsonb[]);

-- A sync run in the window: items in buckets 0 and 5 (one minute each), rejections of two reasons
-- (one outside the window), and a manual run's item in the last bucket.
select vector_sync_tests.open_run('evt-sync', 'sync', array[
  '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3',
  '00000000-0000-4000-8000-0000000000a4', '00000000-0000-4000-8000-0000000000a5', '00000000-0000-4000-8000-0000000000a6',
  '00000000-0000-4000-8000-0000000000a7', '00000000-0000-4000-8000-0000000000a8', '00000000-0000-4000-8000-0000000000a9']);
update vector_sync.run_items as i
set op = 'upsert', outcome = 'upserted', updated_at = '2026-01-01 00:00:30+00',
    changed_at = '2026-01-01 00:00:30+00'::timestamptz - pg_catalog.make_interval(secs => 10 * right(i.document_id, 1)::int)
where i.run_id = vector_sync_tests.run_id('evt-sync') and right(i.document_id, 1) in ('1', '2', '3');
update vector_sync.run_items set op = 'delete', outcome = 'deleted', updated_at = '2026-01-01 00:05:10+00', changed_at = '2026-01-01 00:05:00+00'
where document_id = '00000000-0000-4000-8000-0000000000a4';
update vector_sync.run_items set op = 'upsert', outcome = 'skipped', updated_at = '2026-01-01 00:05:20+00', changed_at = '2026-01-01 00:04:20+00'
where document_id = '00000000-0000-4000-8000-0000000000a5';
update vector_sync.run_items set op = 'upsert', outcome = 'rejected', updated_at = '2026-01-01 00:07:00+00'
where document_id in ('00000000-0000-4000-8000-0000000000a6', '00000000-0000-4000-8000-0000000000a7', '00000000-0000-4000-8000-0000000000a8');
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-sync'), null, '00000000-0000-4000-8000-0000000000a6', 'DimensionMismatch', 'expected 384');
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-sync'), null, '00000000-0000-4000-8000-0000000000a7', 'DimensionMismatch', 'expected 384');
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-sync'), null, '00000000-0000-4000-8000-0000000000a8', 'NonFiniteValue', 'NaN at 3');
select vector_sync.record_rejection(vector_sync_tests.run_id('evt-sync'), null, '00000000-0000-4000-8000-0000000000a9', 'ZeroVectorOnCosine', 'all zeros');
update vector_sync.rejections set rejected_at = '2026-01-01 00:07:00+00';
update vector_sync.rejections set rejected_at = '2025-12-31 00:00+00' where document_id = '00000000-0000-4000-8000-0000000000a9';
select vector_sync_tests.open_run('evt-manual', 'rebuild');
select vector_sync.record_items(vector_sync_tests.run_id('evt-manual'), array['00000000-0000-4000-8000-0000000000b1'], 'upsert', 'upserted');
update vector_sync.run_items set updated_at = '2026-01-01 00:11:59+00' where run_id = vector_sync_tests.run_id('evt-manual');

create temporary table health as
select vector_sync.index_health('docs', '2026-01-01 00:00+00', '2026-01-01 00:12+00') as h;

select is(
  (select h -> 'drift' from health),
  '{"verifyRuns": 1, "missing": 3, "stale": 1, "orphaned": 3, "healed": 7}'::jsonb,
  'drift: the chunk results of the verify runs that finished in the window, summed'
);
select is(
  (select h -> 'rejections' from health),
  '[{"reason": "DimensionMismatch", "count": 2}, {"reason": "NonFiniteValue", "count": 1}]'::jsonb,
  'rejections in the window by reason, most frequent first'
);
select is((select jsonb_array_length(h -> 'series') from health), 12, 'the series has 12 buckets');
select is((select h #>> '{series,0,start}' from health)::timestamptz, '2026-01-01 00:00+00'::timestamptz, 'the first bucket starts with the window');
select is((select h #>> '{series,11,end}' from health)::timestamptz, '2026-01-01 00:12+00'::timestamptz, 'the last bucket ends with it');
select is(
  (select array_agg((b ->> 'indexed')::int order by n) from health, jsonb_array_elements(h -> 'series') with ordinality as t(b, n)),
  array[3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
  'vectors indexed per bucket: upserted and deleted items, manual runs included, skipped and rejected not'
);
select is((select (h #>> '{series,0,p95LagSeconds}')::numeric from health), 29.000, 'p95 lag of bucket 0 (10, 20, 30 s)');
select is((select (h #>> '{series,5,p95LagSeconds}')::numeric from health), 57.500, 'p95 lag of bucket 5 (10 s deleted, 60 s skipped)');
select is((select h #>> '{series,11,p95LagSeconds}' from health), null, 'a bucket of manual items only has no lag');
select is((select h #>> '{series,3,p95LagSeconds}' from health), null, 'an empty bucket has no lag');
select is((select (h #>> '{lag,count}')::int from health), 5, 'the window''s lag counts the items with a change time and an outcome (rejected ones have none here)');

select * from finish();
rollback;

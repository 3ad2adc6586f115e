-- create index health
--
-- How healthy a logical index is, in one call (docs/architecture.md, "Index health and document
-- status"): coverage (what the active generation holds against the embeddings), backlog (queues,
-- batches, runs, chunks, dead letters, parked events), lag (the oldest change not yet in the index,
-- and change-to-indexed seconds over a window), drift found and healed by verify, rejections by
-- reason, and a series of about 12 buckets for the report's chart.
--
-- Cost, kept bounded on a million rows:
--   * the counts of index_state (one generation), document_embeddings and source_documents are
--     whole-index counts, as index_stats already pays; documents without an embedding are an
--     anti-join of the two primary keys (no content read), and blank documents come from a partial
--     index of blank rows (tiny);
--   * everything over the window starts from the runs that can have written in it (open, or
--     finished since p_since: two index ranges) and reaches their items and chunks through the
--     primary keys, so history outside the window is never scanned; the window's items are read
--     once for the percentiles and the series;
--   * the oldest waiting change is the queue's first message (by msg_id), and the oldest change
--     time among the items of open runs and of batches that have no run yet (these are read: what
--     waits, not history).

-- Runs that finished since a time (the window's runs, drift of finished verify runs).
create index runs_finished_at on vector_sync.runs ((coalesce(completed_at, failed_at)))
  where state in ('completed', 'failed');
-- Batches still waiting to be published (claimed) or given up on (parked): a handful, not history.
create index change_batches_unpublished on vector_sync.change_batches (logical_name, state)
  where state <> 'published';
-- Blank documents are never embedded: counted apart from those still waiting for an embedding.
create index source_documents_blank on public.source_documents (id)
  where content !~ '\S';

create function vector_sync.index_health(
  p_logical_name text,
  p_since timestamptz default null,
  p_until timestamptz default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  -- The chart's resolution: about 12 bars fit a mail client's width.
  c_buckets constant integer := 12;
  -- A published batch gets its run within seconds; one without a run is looked for this far back.
  c_unrun_lookback constant interval := interval '1 day';
  v_until timestamptz := coalesce(p_until, pg_catalog.now());
  v_since timestamptz := coalesce(p_since, coalesce(p_until, pg_catalog.now()) - interval '1 hour');
  v_bucket_seconds float8;
  v_generations text[];
  v_active text;
  v_open uuid[];
  v_runs uuid[];
  v_coverage jsonb;
  v_backlog jsonb;
  v_lag jsonb;
  v_drift jsonb;
  v_rejections jsonb;
  v_series jsonb;
  v_oldest timestamptz;
begin
  if p_logical_name is null then
    raise exception 'p_logical_name must be given' using errcode = '22023';
  end if;
  if v_until <= v_since then
    raise exception 'the window must end after it starts (since %, until %)', v_since, v_until using errcode = '22023';
  end if;
  select coalesce(pg_catalog.array_agg(i.index_name), '{}'), pg_catalog.max(i.index_name) filter (where i.state = 'active')
  into v_generations, v_active
  from vector_sync.indexes as i
  where i.logical_name = p_logical_name;
  if pg_catalog.cardinality(v_generations) = 0 then
    raise exception 'no index is registered under the logical name %', p_logical_name using errcode = 'P0002';
  end if;
  v_bucket_seconds := extract(epoch from (v_until - v_since)) / c_buckets;

  -- Open runs, and the runs that can have written in the window: open, or finished since p_since.
  select coalesce(pg_catalog.array_agg(r.run_id), '{}') into v_open
  from vector_sync.runs as r
  where r.state in ('accepted', 'chunked', 'dispatched') and r.index_name = any (v_generations);
  select v_open || coalesce(pg_catalog.array_agg(r.run_id), '{}') into v_runs
  from vector_sync.runs as r
  where r.state in ('completed', 'failed')
    and coalesce(r.completed_at, r.failed_at) >= v_since
    and r.accepted_at <= v_until
    and r.index_name = any (v_generations);

  -- Coverage ---------------------------------------------------------------------------------------
  with counts as (
    select
      (select pg_catalog.count(*) from vector_sync.index_state as s where s.index_name = v_active) as vectors,
      (select pg_catalog.count(*) from public.document_embeddings) as embeddings,
      (select pg_catalog.count(*) from public.source_documents) as documents,
      (select pg_catalog.count(*) from public.source_documents as d
        where not exists (select 1 from public.document_embeddings as e where e.document_id = d.id)) as unembedded,
      (select pg_catalog.count(*) from public.source_documents as d where d.content !~ '\S') as blank,
      (select pg_catalog.count(*) from public.source_documents as d
        where d.content !~ '\S' and not exists (select 1 from public.document_embeddings as e where e.document_id = d.id)) as blank_unembedded
  )
  select pg_catalog.jsonb_build_object(
    'vectors', c.vectors,
    'embeddings', c.embeddings,
    'documents', c.documents,
    'withoutEmbedding', c.unembedded - c.blank_unembedded,
    'blank', c.blank,
    'ratio', case when c.embeddings = 0 then null else pg_catalog.round(c.vectors::numeric / c.embeddings, 4) end
  ) into v_coverage
  from counts as c;

  -- Backlog ----------------------------------------------------------------------------------------
  select pg_catalog.jsonb_build_object(
    'embeddingJobs', (select pg_catalog.count(*) from pgmq.q_embedding_jobs),
    'vectorSync', (select pg_catalog.count(*) from pgmq.q_vector_sync),
    'batchesClaimed', b.claimed,
    'idsClaimed', b.ids_claimed,
    'batchesParked', b.parked,
    'idsParked', b.ids_parked,
    'openRuns', pg_catalog.cardinality(v_open),
    'chunksReady', ch.ready,
    'chunksInFlight', ch.in_flight,
    'deadLetters', (select pg_catalog.count(*) from vector_sync.dead_letters),
    'parkedEvents', (select pg_catalog.count(*) from vector_sync.parked_events)
  ) into v_backlog
  from (
    select
      pg_catalog.count(*) filter (where cb.state = 'claimed') as claimed,
      coalesce(pg_catalog.sum(cb.id_count) filter (where cb.state = 'claimed'), 0) as ids_claimed,
      pg_catalog.count(*) filter (where cb.state = 'parked') as parked,
      coalesce(pg_catalog.sum(cb.id_count) filter (where cb.state = 'parked'), 0) as ids_parked
    from vector_sync.change_batches as cb
    where cb.logical_name = p_logical_name and cb.state <> 'published'
  ) as b
  cross join (
    select
      pg_catalog.count(*) filter (where c.state = 'ready') as ready,
      pg_catalog.count(*) filter (where c.state in ('dispatched', 'running')) as in_flight
    from vector_sync.chunks as c
    where c.run_id = any (v_open)
  ) as ch;

  -- Lag --------------------------------------------------------------------------------------------
  -- The oldest change not yet in the index: still queued, in a batch with no run yet, or an item of
  -- a run that is not final.
  select pg_catalog.min(t.at) into v_oldest
  from (
    (select q.enqueued_at as at from pgmq.q_vector_sync as q order by q.msg_id limit 1)
    union all
    select pg_catalog.min(i.changed_at)
    from vector_sync.change_batch_items as i
    where i.batch_id in (
      select cb.batch_id from vector_sync.change_batches as cb
      where cb.logical_name = p_logical_name and cb.state <> 'published'
      union all
      select cb.batch_id from vector_sync.change_batches as cb
      where cb.logical_name = p_logical_name and cb.state = 'published'
        and cb.claimed_at >= pg_catalog.now() - c_unrun_lookback
        and not exists (select 1 from vector_sync.runs as r where r.batch_id = cb.batch_id)
    )
    union all
    select pg_catalog.min(i.changed_at) from vector_sync.run_items as i where i.run_id = any (v_open)
  ) as t;

  -- One pass over the items that reached an outcome in the window: change-to-indexed seconds (p50,
  -- p95, count; manual runs carry no change time and are not measured) and, per bucket of the
  -- chart, vectors indexed (upserted + deleted, manual runs too) and the p95 lag.
  with items as materialized (
    select
      least(c_buckets - 1, pg_catalog.floor(extract(epoch from (i.updated_at - v_since)) / v_bucket_seconds)::integer) as bucket,
      i.outcome,
      case when i.changed_at is not null then greatest(0, extract(epoch from (i.updated_at - i.changed_at)))::float8 end as seconds
    from vector_sync.run_items as i
    where i.run_id = any (v_runs)
      and i.outcome is not null
      and i.updated_at >= v_since and i.updated_at <= v_until
  ),
  per_bucket as (
    select
      b.n,
      pg_catalog.count(it.outcome) filter (where it.outcome in ('upserted', 'deleted')) as indexed,
      pg_catalog.percentile_cont(0.95) within group (order by it.seconds) as p95
    from pg_catalog.generate_series(0, c_buckets - 1) as b(n)
    left join items as it on it.bucket = b.n
    group by b.n
  )
  select
    (select pg_catalog.jsonb_build_object(
      'oldestChangeAt', v_oldest,
      'oldestSeconds', case when v_oldest is null then null
        else pg_catalog.round(greatest(0, extract(epoch from (pg_catalog.now() - v_oldest)))::numeric, 3) end,
      'p50Seconds', pg_catalog.round((pg_catalog.percentile_cont(0.5) within group (order by it.seconds))::numeric, 3),
      'p95Seconds', pg_catalog.round((pg_catalog.percentile_cont(0.95) within group (order by it.seconds))::numeric, 3),
      'count', pg_catalog.count(it.seconds)
    ) from items as it),
    (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'start', v_since + pg_catalog.make_interval(secs => v_bucket_seconds * p.n),
      'end', case when p.n = c_buckets - 1 then v_until else v_since + pg_catalog.make_interval(secs => v_bucket_seconds * (p.n + 1)) end,
      'indexed', p.indexed,
      'p95LagSeconds', pg_catalog.round(p.p95::numeric, 3)
    ) order by p.n) from per_bucket as p)
  into v_lag, v_series;

  -- Drift found and healed by the verify runs that finished in the window --------------------------
  select pg_catalog.jsonb_build_object(
    'verifyRuns', pg_catalog.count(distinct r.run_id),
    'missing', coalesce(pg_catalog.sum(case when pg_catalog.jsonb_typeof(c.result #> '{drift,missing}') = 'number' then (c.result #>> '{drift,missing}')::numeric end), 0),
    'stale', coalesce(pg_catalog.sum(case when pg_catalog.jsonb_typeof(c.result #> '{drift,stale}') = 'number' then (c.result #>> '{drift,stale}')::numeric end), 0),
    'orphaned', coalesce(pg_catalog.sum(case when pg_catalog.jsonb_typeof(c.result #> '{drift,orphaned}') = 'number' then (c.result #>> '{drift,orphaned}')::numeric end), 0),
    'healed', coalesce(pg_catalog.sum(case when pg_catalog.jsonb_typeof(c.result -> 'healed') = 'number' then (c.result ->> 'healed')::numeric end), 0)
  ) into v_drift
  from vector_sync.runs as r
  left join vector_sync.chunks as c on c.run_id = r.run_id and c.result is not null
  where r.run_id = any (v_runs)
    and r.op = 'verify'
    and r.state in ('completed', 'failed')
    and coalesce(r.completed_at, r.failed_at) >= v_since
    and coalesce(r.completed_at, r.failed_at) <= v_until;

  -- Rejections by reason over the window, most frequent first --------------------------------------
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('reason', g.reason, 'count', g.n) order by g.n desc, g.reason), '[]')
  into v_rejections
  from (
    select j.reason, pg_catalog.count(*) as n
    from vector_sync.rejections as j
    where j.run_id = any (v_runs) and j.rejected_at >= v_since and j.rejected_at <= v_until
    group by j.reason
  ) as g;

  return pg_catalog.jsonb_build_object(
    'logicalName', p_logical_name,
    'indexName', v_active,
    'asOf', pg_catalog.now(),
    'since', v_since,
    'until', v_until,
    'coverage', v_coverage,
    'backlog', v_backlog,
    'lag', v_lag,
    'drift', v_drift,
    'rejections', v_rejections,
    'series', v_series
  );
end
$$;
comment on function vector_sync.index_health(text, timestamptz, timestamptz) is
  'Coverage, backlog, lag (oldest waiting change; p50/p95 change-to-indexed over the window), drift, rejections by reason and a 12-bucket series of a logical index; the window defaults to the hour before p_until (now).';

revoke execute on function vector_sync.index_health(text, timestamptz, timestamptz) from public, anon, authenticated;

-- create runs ready to close
--
-- A run closes when the settler of its last chunk (collect-stats on a TaskCompleted, or reconcile
-- on a silent chunk) calls complete_run. When that hand-off is lost (the TaskCompleted or the
-- stats.requested never arrives, or collect-stats fails after the worker recorded the chunk), every
-- chunk is final but the run stays open, unreported, and no chunk is silent for reconcile to
-- find. This lists those runs, so reconcile closes and reports them (issue 19). Closing is
-- complete_run plus the completion claim, so a run that another caller closes meanwhile is closed
-- and announced once.

create function vector_sync.runs_ready_to_close(p_older_than interval, p_limit integer default 50)
returns setof vector_sync.runs
language sql
stable
set search_path = ''
as $$
  select r.*
  from vector_sync.runs as r
  where r.state in ('chunked', 'dispatched')
    and (
      -- Nothing to do, and the chunk's own stats request was lost.
      (r.chunk_count = 0 and r.chunked_at < pg_catalog.now() - p_older_than)
      or (
        r.chunk_count > 0
        and not exists (
          select 1 from vector_sync.chunks as c
          where c.run_id = r.run_id and c.state not in ('succeeded', 'failed')
        )
        and (select pg_catalog.count(*) from vector_sync.chunks as c where c.run_id = r.run_id) = r.chunk_count
        and (select pg_catalog.max(c.finished_at) from vector_sync.chunks as c where c.run_id = r.run_id) < pg_catalog.now() - p_older_than
      )
    )
  order by r.accepted_at
  limit p_limit;
$$;
comment on function vector_sync.runs_ready_to_close(interval, integer) is
  'Open runs whose chunks are all final (or that have none) for longer than p_older_than: their close was lost, reconcile closes them.';
revoke execute on function vector_sync.runs_ready_to_close(interval, integer) from public, anon, authenticated;

-- retire abandoned generations
--
-- A rebuild registers its new generation as 'building' and activates it when its last chunk has
-- loaded and checked it. When the rebuild fails (a chunk fails for good, the check finds embeddings
-- missing) or its run is refused after the generation was registered, the generation stays
-- 'building' for ever: no sync writes into it (only generations an open rebuild builds get writes)
-- but its OSS index and its index_state rows stay (issue 17, A.3). This moves such generations to
-- 'retired' once no rebuild run has been open on them for p_older_than, so the next rebuild's
-- switch-over deletes their OSS index and marks them dropped, as it does for the generation it
-- replaces. The grace keeps a generation whose run is being opened right now out of reach.

create function vector_sync.retire_abandoned_generations(p_older_than interval, p_limit integer default 20)
returns setof vector_sync.indexes
language sql
volatile
set search_path = ''
as $$
  update vector_sync.indexes as i
  set state = 'retired', retired_at = pg_catalog.now()
  where i.index_name in (
    select g.index_name
    from vector_sync.indexes as g
    where g.state = 'building'
      and g.created_at < pg_catalog.now() - p_older_than
      and not exists (
        select 1 from vector_sync.runs as r
        where r.index_name = g.index_name and r.op = 'rebuild'
          and (r.state not in ('completed', 'failed') or coalesce(r.completed_at, r.failed_at) >= pg_catalog.now() - p_older_than)
      )
    order by g.created_at
    limit p_limit
    for update skip locked
  )
  returning i.*;
$$;
comment on function vector_sync.retire_abandoned_generations(interval, integer) is
  'Moves generations left building with no rebuild open on them (for longer than p_older_than) to retired; the next switch-over drops them.';
revoke execute on function vector_sync.retire_abandoned_generations(interval, integer) from public, anon, authenticated;

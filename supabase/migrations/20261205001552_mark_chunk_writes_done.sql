-- mark chunk writes done
--
-- Chunks of one index running at once share its write quota evenly: each writes at the quota
-- divided by the index's running writer chunks (ecs/writeQuota.ts). A chunk that has written
-- everything still runs its validation query (it waits out the searchable delay, about 2.5 s in
-- the cloud) and was still counted as a writer, so its share sat idle while the others were held
-- to theirs: with 4 chunks of 5,000 ids, about a quarter of the quota went unused. A chunk now
-- marks when its writes are done; the writer count leaves it out from then on. running_at is set
-- again by every attempt, so a mark older than it belongs to an earlier attempt and is ignored.

alter table vector_sync.chunks add column writes_done_at timestamptz;
comment on column vector_sync.chunks.writes_done_at is
  'When the running attempt finished writing (it may still validate); an index''s writer count leaves it out. Ignored when older than running_at.';

create function vector_sync.mark_chunk_writes_done(p_run_id uuid, p_chunk_no integer)
returns void
language sql
volatile
set search_path = ''
as $$
  update vector_sync.chunks as c
  set writes_done_at = pg_catalog.now()
  where c.run_id = p_run_id and c.chunk_no = p_chunk_no and c.state = 'running';
$$;
comment on function vector_sync.mark_chunk_writes_done(uuid, integer) is
  'Marks that the running attempt of a chunk has finished writing, so it no longer takes a share of its index''s write quota.';
revoke execute on function vector_sync.mark_chunk_writes_done(uuid, integer) from public, anon, authenticated;

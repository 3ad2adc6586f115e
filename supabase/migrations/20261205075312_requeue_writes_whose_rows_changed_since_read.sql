-- requeue writes whose rows changed since read
--
-- A chunk reads a page of rows, then writes their vectors a moment (or, behind a hung call and its
-- retries, a minute) later. Two writers of one vector can so land in the wrong order: a sync of an
-- edit writes the new version, then a rebuild chunk (or an older sync held up by OSS) writes the
-- version it read before, and records it. Nothing noticed until a verify: the chaos suite ended
-- once with two stale vectors so.
--
-- record_index_writes records a write batch against what was read: each vector comes with the
-- version of its rows as read (greatest updated_at of the document and the passage's embedding;
-- null when there was no row, as for a delete) and the time of the read.
-- - A vector whose rows changed since (an edit, a metadata change, a delete, a passage added where
--   one was deleted) was written from an old read: it is recorded as held with an unknown content
--   hash, whatever was recorded before, and its document is queued for a sync, which finds it
--   differs and writes it again (or deletes it).
-- - Otherwise the write is recorded, unless the vector was recorded after this read (by a writer
--   that read later, or marked unknown by one whose write came late): that record stands.
-- Rows are locked in (document id, passage) order, as upsert_index_state and delete_index_state do.
--
-- queue_missing_from (the end of a rebuild) also queues what the new generation holds for another
-- content or for no embedding at all, not only what it lacks.

create function vector_sync.record_index_writes(
  p_index_name text,
  p_document_ids text[],
  p_passage_nos integer[],
  p_content_hashes text[],
  p_vector_hashes text[],
  p_versions timestamptz[],
  p_read_at timestamptz[]
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  n integer := coalesce(pg_catalog.cardinality(p_document_ids), 0);
  unknown constant text := pg_catalog.repeat('0', 64);
  changed text[];
  v_ids text[];
  v_nos integer[];
  v_hashes text[];
  v_vhashes text[];
  v_read_at timestamptz[];
  v_changed boolean[];
begin
  if pg_catalog.array_ndims(p_document_ids) > 1
    or n <> coalesce(pg_catalog.cardinality(p_passage_nos), 0)
    or n <> coalesce(pg_catalog.cardinality(p_content_hashes), 0)
    or n <> coalesce(pg_catalog.cardinality(p_vector_hashes), 0)
    or n <> coalesce(pg_catalog.cardinality(p_versions), 0)
    or n <> coalesce(pg_catalog.cardinality(p_read_at), 0)
  then
    raise exception 'document ids, passages, content hashes, vector hashes, versions and read times must be one-dimensional arrays of equal length'
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_document_ids);
  if exists (select 1 from unnest(p_passage_nos) as p(no) where p.no is null or p.no not between 0 and 9999) then
    raise exception 'passage numbers must be from 0 to 9999' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_content_hashes, p_vector_hashes) as h(content, vector)
             where h.content !~ '^[0-9a-f]{64}$' or h.vector !~ '^[0-9a-f]{64}$' or (h.content is null and h.vector is not null)) then
    raise exception 'content and vector hashes must be 64 lower-case hex characters (SHA-256), or both null for a delete' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_read_at) as r(at) where r.at is null) then
    raise exception 'every write needs the time its rows were read' using errcode = '22023';
  end if;
  if not exists (select 1 from vector_sync.indexes as i where i.index_name = p_index_name) then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if exists (select 1 from vector_sync.indexes as i where i.index_name = p_index_name and i.state = 'dropped')
    and exists (select 1 from unnest(p_content_hashes) as h(hash) where h.hash is not null) then
    raise exception 'index % is dropped', p_index_name using errcode = '55000';
  end if;

  -- The writes in (id, passage) order, the last of each vector winning, each with whether its rows
  -- changed since read.
  select coalesce(array_agg(w.id order by w.id, w.no), '{}'), coalesce(array_agg(w.no order by w.id, w.no), '{}'),
         coalesce(array_agg(w.hash order by w.id, w.no), '{}'), coalesce(array_agg(w.vhash order by w.id, w.no), '{}'),
         coalesce(array_agg(w.read_at order by w.id, w.no), '{}'), coalesce(array_agg(w.changed order by w.id, w.no), '{}')
  into v_ids, v_nos, v_hashes, v_vhashes, v_read_at, v_changed
  from (
    select distinct on (u.id, u.no) u.id, u.no, u.hash, u.vhash, u.read_at,
      u.version is distinct from (
        select greatest(d.updated_at, e.updated_at)
        from public.document_embeddings as e
        join public.source_documents as d on d.id = e.document_id
        where e.document_id = (case when u.id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then u.id::uuid end)
          and e.passage_no = u.no) as changed
    from unnest(p_document_ids, p_passage_nos, p_content_hashes, p_vector_hashes, p_versions, p_read_at)
      with ordinality as u(id, no, hash, vhash, version, read_at, ord)
    order by u.id, u.no, u.ord desc
  ) as w;

  -- Lock what the index holds of them, in (id, passage) order.
  perform 1 from vector_sync.index_state as s
  join unnest(v_ids, v_nos) as b(id, no) on b.id = s.document_id and b.no = s.passage_no
  where s.index_name = p_index_name
  order by s.document_id, s.passage_no
  for update of s;

  -- Written from an old read: held, content unknown.
  insert into vector_sync.index_state as s (index_name, document_id, passage_no, content_hash, vector_hash, synced_at)
  select p_index_name, b.id, b.no, unknown, null, pg_catalog.now()
  from unnest(v_ids, v_nos, v_changed) with ordinality as b(id, no, changed, ord) where b.changed
  order by b.ord
  on conflict (index_name, document_id, passage_no) do update
  set content_hash = excluded.content_hash, vector_hash = null, synced_at = excluded.synced_at;

  -- Written from a current read: recorded, unless recorded after this read.
  update vector_sync.index_state as s
  set content_hash = b.hash, vector_hash = b.vhash, synced_at = pg_catalog.now()
  from unnest(v_ids, v_nos, v_hashes, v_vhashes, v_read_at, v_changed) as b(id, no, hash, vhash, read_at, changed)
  where s.index_name = p_index_name and s.document_id = b.id and s.passage_no = b.no
    and not b.changed and b.hash is not null and s.synced_at <= b.read_at;
  insert into vector_sync.index_state (index_name, document_id, passage_no, content_hash, vector_hash, synced_at)
  select p_index_name, b.id, b.no, b.hash, b.vhash, pg_catalog.now()
  from unnest(v_ids, v_nos, v_hashes, v_vhashes, v_changed) with ordinality as b(id, no, hash, vhash, changed, ord)
  where not b.changed and b.hash is not null
  order by b.ord
  on conflict (index_name, document_id, passage_no) do nothing;
  delete from vector_sync.index_state as s
  using unnest(v_ids, v_nos, v_hashes, v_read_at, v_changed) as b(id, no, hash, read_at, changed)
  where s.index_name = p_index_name and s.document_id = b.id and s.passage_no = b.no
    and not b.changed and b.hash is null and s.synced_at <= b.read_at;

  changed := array(select distinct b.id from unnest(v_ids, v_changed) as b(id, changed) where b.changed order by 1);
  if pg_catalog.cardinality(changed) > 0 then
    perform vector_sync.send_unless_waiting('vector_sync', changed);
  end if;
  return (select pg_catalog.count(*)::integer from unnest(changed));
end
$$;
comment on function vector_sync.record_index_writes(text, text[], integer[], text[], text[], timestamptz[], timestamptz[]) is
  'Records a write batch (content hash null: a delete) against its read: a vector whose rows changed since their version was read '
  'is held with an unknown hash and its document queued for a sync; others are recorded unless recorded after the read. '
  'Answers how many documents were queued so.';
revoke execute on function vector_sync.record_index_writes(text, text[], integer[], text[], text[], timestamptz[], timestamptz[])
  from public, anon, authenticated;

create or replace function vector_sync.queue_missing_from(p_index_name text, p_run_id uuid)
returns integer
language sql
volatile
set search_path = ''
as $$
  select vector_sync.send_unless_waiting('vector_sync', array(
    -- Passages the generation lacks, but those this run refused.
    select e.document_id::text
    from public.document_embeddings as e
    where not exists (
        select 1 from vector_sync.index_state as s
        where s.index_name = p_index_name and s.document_id = e.document_id::text and s.passage_no = e.passage_no
      )
      and not exists (select 1 from vector_sync.rejections as j where j.run_id = p_run_id and j.document_id = e.document_id::text)
    union
    -- Passages held for another content, or with no embedding left.
    select s.document_id
    from vector_sync.index_state as s
    left join public.document_embeddings as e on e.document_id::text = s.document_id and e.passage_no = s.passage_no
    where s.index_name = p_index_name and (e.document_id is null or e.content_hash <> s.content_hash)
  ));
$$;
comment on function vector_sync.queue_missing_from(text, uuid) is
  'Queues for a sync what a rebuilt generation may hold wrong: embeddings it lacks (but those its run rejected) and vectors '
  'held for another content or for no embedding; answers how many documents were queued.';

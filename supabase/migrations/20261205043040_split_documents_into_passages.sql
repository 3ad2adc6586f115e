-- split documents into passages
--
-- A long document is cut into passages (shared/passages.ts, docs/supabase.md "Passages") and each
-- passage has its own embedding and its own vector (key `<doc>` for the first, `<doc>#<n>` for the
-- others). The sidecar becomes one row per passage; what was one row per document stays one row for
-- every short document (passage 0, the whole content), so rows written before this change keep
-- their meaning as they are.
--
--   * `document_embeddings`: primary key (document_id, passage_no); every passage row carries the
--     SHA-256 of the whole content it was cut from (`content_hash`, what the triggers, the drift scan
--     and the status compare), the SHA-256 of its own text (`passage_hash`, null: the passage is the
--     whole content, so it equals `content_hash`) and where it sits in the content (`passage_start`
--     and `passage_chars`, in characters as Postgres counts them; null chars: to the end).
--   * `write_embeddings` writes a document's whole set of passages in one compare-and-set: passages
--     past the new end are deleted, and a passage sent without a vector takes the vector the sidecar
--     holds for the same text and model (only passages whose text changed are embedded again).
--   * `index_state` is one row per vector: primary key (index_name, document_id, passage_no).
--   * The functions and views that read either table count documents by their first passage.

-- The sidecar --------------------------------------------------------------------------------------
alter table public.document_embeddings
  add column passage_no integer not null default 0
    constraint document_embeddings_passage_no_range check (passage_no between 0 and 9999),
  add column passage_hash text
    constraint document_embeddings_passage_hash_format check (passage_hash ~ '^[0-9a-f]{64}$'),
  add column passage_start integer not null default 0
    constraint document_embeddings_passage_start_range check (passage_start >= 0),
  add column passage_chars integer
    constraint document_embeddings_passage_chars_range check (passage_chars > 0);
alter table public.document_embeddings drop constraint document_embeddings_pkey;
alter table public.document_embeddings add primary key (document_id, passage_no);
comment on table public.document_embeddings is
  'One embedding per passage of a document (passage 0 is the whole content of a short document), '
  'with the SHA-256 of the content it was cut from, of its own text, and the model.';
comment on column public.document_embeddings.passage_hash is
  'SHA-256 (hex) of the passage''s text; null when the passage is the whole content (then content_hash).';
comment on column public.document_embeddings.passage_start is
  'Where the passage starts in the content, in characters from 0 (substr(content, passage_start + 1, passage_chars)).';
comment on column public.document_embeddings.passage_chars is
  'The passage''s length in characters; null: to the end of the content.';

-- A statement rewrites a document's passages: the vector_sync message is per document either way.
drop function vector_sync.write_embedding(uuid, text, text, extensions.vector);
drop function vector_sync.write_embeddings(uuid[], text[], text, extensions.vector[]);

create function vector_sync.write_embeddings(
  p_document_ids uuid[],
  p_content_hashes text[],
  p_passage_nos integer[],
  p_passage_hashes text[],
  p_passage_starts integer[],
  p_passage_chars integer[],
  p_model text,
  p_embeddings extensions.vector[],
  p_wait boolean default false
)
returns setof uuid
language plpgsql
set search_path = ''
as $$
declare
  n integer := coalesce(pg_catalog.cardinality(p_document_ids), 0);
  v_current uuid[];
  v_written uuid[];
begin
  if n <> coalesce(pg_catalog.cardinality(p_content_hashes), 0) or n <> coalesce(pg_catalog.cardinality(p_passage_nos), 0)
     or n <> coalesce(pg_catalog.cardinality(p_passage_hashes), 0) or n <> coalesce(pg_catalog.cardinality(p_passage_starts), 0)
     or n <> coalesce(pg_catalog.cardinality(p_passage_chars), 0) or n <> coalesce(pg_catalog.cardinality(p_embeddings), 0) then
    raise exception 'write_embeddings needs arrays of equal length, one entry per passage' using errcode = '22023';
  end if;
  if exists (
    select 1 from unnest(p_document_ids, p_content_hashes, p_passage_nos) as t(id, hash, no)
    group by t.id having pg_catalog.count(distinct t.hash) > 1 or pg_catalog.count(*) <> pg_catalog.count(distinct t.no)
      or pg_catalog.min(t.no) <> 0 or pg_catalog.max(t.no) <> pg_catalog.count(*) - 1
  ) then
    raise exception 'each document needs one content hash and its passages numbered 0 to n-1, each once' using errcode = '22023';
  end if;

  -- Compare-and-set per document: only documents that still exist with this very content. FOR SHARE
  -- holds off a concurrent content edit until this write commits (the edit's trigger then sees this
  -- hash in the sidecar, differs from it, and enqueues the new content). A batch skips a document an
  -- edit holds at this instant (SKIP LOCKED; the caller writes it again alone, with p_wait, which
  -- waits for the edit and compares again): a batch waiting while holding others can deadlock with
  -- an application transaction that edits several documents one statement at a time.
  if p_wait then
    select coalesce(pg_catalog.array_agg(c.id order by c.id), '{}') into v_current from (
      select d.id from public.source_documents as d
      join (select distinct t.id, t.hash from unnest(p_document_ids, p_content_hashes) as t(id, hash)) as i on i.id = d.id
      where d.content ~ '\S' and pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') = i.hash
      order by d.id
      for share of d
    ) as c;
  else
    select coalesce(pg_catalog.array_agg(c.id order by c.id), '{}') into v_current from (
      select d.id from public.source_documents as d
      join (select distinct t.id, t.hash from unnest(p_document_ids, p_content_hashes) as t(id, hash)) as i on i.id = d.id
      where d.content ~ '\S' and pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') = i.hash
      order by d.id
      for share of d skip locked
    ) as c;
  end if;

  with input as (
    select t.*
    from unnest(p_document_ids, p_content_hashes, p_passage_nos, p_passage_hashes, p_passage_starts, p_passage_chars, p_embeddings)
      as t(document_id, content_hash, passage_no, passage_hash, passage_start, passage_chars, embedding)
    where t.document_id = any (v_current)
  ),
  resolved as (
    -- A passage sent without a vector keeps the one the sidecar holds for the same text and model
    -- (the statement's snapshot: the rows as they were before this write).
    select i.document_id, i.content_hash, i.passage_no, i.passage_hash, i.passage_start, i.passage_chars,
      coalesce(i.embedding, (
        select e.embedding from public.document_embeddings as e
        where e.document_id = i.document_id and e.model = p_model
          and coalesce(e.passage_hash, e.content_hash) = coalesce(i.passage_hash, i.content_hash)
        limit 1
      )) as embedding
    from input as i
  ),
  complete as (
    -- A document none of whose old passages holds a reused text any more (another writer changed
    -- the model meanwhile) is left unwritten, like a stale one.
    select r.document_id from resolved as r group by r.document_id having pg_catalog.bool_and(r.embedding is not null)
  ),
  tails as (
    delete from public.document_embeddings as e
    using (select r.document_id, pg_catalog.max(r.passage_no) as last_no from resolved as r join complete as c using (document_id) group by r.document_id) as x
    where e.document_id = x.document_id and e.passage_no > x.last_no
    returning e.document_id
  ),
  written as (
    insert into public.document_embeddings as e (document_id, passage_no, content_hash, passage_hash, passage_start, passage_chars, model, embedding)
    select r.document_id, r.passage_no, r.content_hash, r.passage_hash, r.passage_start, r.passage_chars, p_model, r.embedding
    from resolved as r join complete as c using (document_id)
    order by r.document_id, r.passage_no
    on conflict (document_id, passage_no) do update
    set content_hash = excluded.content_hash, passage_hash = excluded.passage_hash, passage_start = excluded.passage_start,
      passage_chars = excluded.passage_chars, model = excluded.model, embedding = excluded.embedding
    -- Rewriting an identical row would only bump updated_at and cost a WAL record.
    where e.content_hash <> excluded.content_hash
      or e.passage_hash is distinct from excluded.passage_hash
      or e.passage_start <> excluded.passage_start
      or e.passage_chars is distinct from excluded.passage_chars
      or e.model <> excluded.model
      or not (e.embedding operator(extensions.=) excluded.embedding)
    returning e.document_id
  )
  select coalesce(pg_catalog.array_agg(c.document_id order by c.document_id), '{}') into v_written
  from complete as c;
  -- (tails and written run to completion though nothing reads them: data-modifying CTEs always do.)

  return query select unnest(v_written);
end
$$;
comment on function vector_sync.write_embeddings(uuid[], text[], integer[], text[], integer[], integer[], text, extensions.vector[], boolean) is
  'Compare-and-set write of whole documents, one array entry per passage (a null vector keeps the one held for the same text '
  'and model); passages past the new end are deleted. Returns the documents written; the others are stale or, without '
  'p_wait, locked by another transaction at that instant (write those again alone with p_wait).';

drop function vector_sync.embedding_sources(uuid[]);
create function vector_sync.embedding_sources(p_ids uuid[])
returns table (document_id uuid, content text, content_hash text, embedded_hash text, embedded_model text, embedded_passages text[])
language sql
stable
set search_path = ''
as $$
  select
    d.id,
    d.content,
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex'),
    e.content_hash,
    e.model,
    (select pg_catalog.array_agg(coalesce(p.passage_hash, p.content_hash) order by p.passage_no)
     from public.document_embeddings as p where p.document_id = d.id)
  from public.source_documents as d
  left join public.document_embeddings as e on e.document_id = d.id and e.passage_no = 0
  where d.id = any (p_ids)
  order by d.id;
$$;

revoke execute on function
  vector_sync.write_embeddings(uuid[], text[], integer[], text[], integer[], integer[], text, extensions.vector[], boolean),
  vector_sync.embedding_sources(uuid[])
from public, anon, authenticated;

-- Content edits and metadata changes compare the document's content hash: its first passage has it.
create or replace function vector_sync.enqueue_metadata_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform vector_sync.send_unless_waiting('vector_sync', array(
    select n.id::text
    from changed_new as n
    join changed_old as o on o.id = n.id
    join public.document_embeddings as e on e.document_id = n.id and e.passage_no = 0
    where o.metadata is distinct from n.metadata
      and (
        o.content = n.content
        or e.content_hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(n.content, 'UTF8')), 'hex')
      )
  ));
  return null;
end
$$;

create or replace function vector_sync.enqueue_changed_document()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  embedded_hash text;
begin
  -- Empty or blank content has no embedding; deleting the sidecar rows enqueues the OSS delete.
  if new.content !~ '\S' then
    delete from public.document_embeddings as e where e.document_id = new.id;
    return null;
  end if;
  -- Back to the content that is embedded already (an edit undone): nothing to do.
  select e.content_hash into embedded_hash from public.document_embeddings as e where e.document_id = new.id and e.passage_no = 0;
  if embedded_hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(new.content, 'UTF8')), 'hex') then
    return null;
  end if;
  perform vector_sync.send_unless_waiting('embedding_jobs', array[new.id::text]);
  return null;
end
$$;

create or replace view vector_sync.stale_embeddings
with (security_invoker = true)
as
select e.document_id, e.model, e.content_hash as embedded_hash, c.current_hash, e.updated_at as embedded_at, d.updated_at as document_updated_at
from public.document_embeddings as e
join public.source_documents as d on d.id = e.document_id
cross join lateral (select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') as current_hash) as c
where e.passage_no = 0 and e.content_hash <> c.current_hash;

create or replace function vector_sync.enqueue_drift(p_model text default null, p_limit integer default 1000)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  sent integer;
  orphans integer := 0;
begin
  if p_limit is null or p_limit < 1 then
    raise exception 'p_limit must be at least 1' using errcode = '22023';
  end if;

  -- LEFT JOIN, so documents that never got an embedding (loaded with triggers off, a purged queue)
  -- are found as well as stale or other-model ones. FOR SHARE SKIP LOCKED: a document an edit holds
  -- is left to the edit's own trigger; one drift holds keeps its edit waiting until drift commits.
  sent := vector_sync.send_unless_waiting('embedding_jobs', array(
    select d.id::text
    from public.source_documents as d
    left join public.document_embeddings as e on e.document_id = d.id and e.passage_no = 0
    where d.content ~ '\S'
      and (
        e.document_id is null
        or e.content_hash <> pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex')
        or (p_model is not null and e.model <> p_model)
      )
      and not exists (
        select 1 from pgmq.q_embedding_jobs as q
        where q.read_ct = 0 and (q.message ->> 'id') = d.id::text
      )
    order by d.updated_at, d.id
    limit p_limit
    for share of d skip locked
  ));

  -- Sidecar rows without a document: impossible with the foreign key, possible after a restore
  -- with triggers off. The sync decides the op from the current rows, as for any vector_sync message.
  if sent < p_limit then
    orphans := vector_sync.send_unless_waiting('vector_sync', array(
      select e.document_id::text
      from public.document_embeddings as e
      where e.passage_no = 0
        and not exists (select 1 from public.source_documents as d where d.id = e.document_id)
        and not exists (
          select 1 from pgmq.q_vector_sync as q
          where q.read_ct = 0 and (q.message ->> 'id') = e.document_id::text
        )
      order by e.document_id
      limit p_limit - sent
    ));
  end if;
  return sent + orphans;
end
$$;
comment on function vector_sync.enqueue_drift(text, integer) is
  'Reconciliation: enqueues up to p_limit missing, stale or other-model embeddings (and orphans); returns the count.';

revoke execute on function
  vector_sync.send_unless_waiting(text, text[]),
  vector_sync.enqueue_drift(text, integer)
from public, anon, authenticated;

-- What each index holds: one row per vector --------------------------------------------------------
alter table vector_sync.index_state
  add column passage_no integer not null default 0
    constraint index_state_passage_no_range check (passage_no between 0 and 9999);
alter table vector_sync.index_state drop constraint index_state_pkey;
alter table vector_sync.index_state add primary key (index_name, document_id, passage_no);
comment on table vector_sync.index_state is
  'What each index holds, one row per vector (a document''s passage): the source of TotalVectors in the report and of verify.';
comment on column vector_sync.index_state.content_hash is
  'SHA-256 of the document content the vector''s passage was cut from.';

drop function vector_sync.upsert_index_state(text, text[], text[], text[]);

create function vector_sync.upsert_index_state(
  p_index_name text,
  p_document_ids text[],
  p_content_hashes text[],
  p_vector_hashes text[] default null,
  p_passage_nos integer[] default null
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_index_state text;
  written integer;
  n integer := coalesce(pg_catalog.cardinality(p_document_ids), 0);
begin
  if n <> coalesce(pg_catalog.cardinality(p_content_hashes), 0)
    or pg_catalog.array_ndims(p_document_ids) > 1
    or pg_catalog.array_ndims(p_content_hashes) > 1
  then
    raise exception 'document ids (%) and content hashes (%) must be one-dimensional arrays of equal length',
      n, coalesce(pg_catalog.cardinality(p_content_hashes), 0)
      using errcode = '22023';
  end if;
  if p_vector_hashes is not null and (pg_catalog.cardinality(p_vector_hashes) <> n or pg_catalog.array_ndims(p_vector_hashes) > 1) then
    raise exception 'vector hashes (%) must be a one-dimensional array as long as the document ids (%)',
      pg_catalog.cardinality(p_vector_hashes), n
      using errcode = '22023';
  end if;
  if p_passage_nos is not null and (pg_catalog.cardinality(p_passage_nos) <> n or pg_catalog.array_ndims(p_passage_nos) > 1
      or exists (select 1 from unnest(p_passage_nos) as p(no) where p.no is null or p.no not between 0 and 9999)) then
    raise exception 'passage numbers must be a one-dimensional array as long as the document ids, each from 0 to 9999'
      using errcode = '22023';
  end if;
  perform vector_sync.check_document_ids(p_document_ids);
  if exists (select 1 from unnest(p_content_hashes) as h(hash) where h.hash is null or h.hash !~ '^[0-9a-f]{64}$') then
    raise exception 'content hashes must be 64 lower-case hex characters (SHA-256)' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_vector_hashes) as h(hash) where h.hash !~ '^[0-9a-f]{64}$') then
    raise exception 'vector hashes must be 64 lower-case hex characters (SHA-256) or null' using errcode = '22023';
  end if;
  select i.state into v_index_state from vector_sync.indexes as i where i.index_name = p_index_name;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  if v_index_state = 'dropped' then
    raise exception 'index % is dropped', p_index_name using errcode = '55000';
  end if;

  -- The last entry for a vector wins (ON CONFLICT cannot touch a row twice in one statement); rows
  -- go in (document id, passage) order, the order delete_index_state locks in.
  insert into vector_sync.index_state as s (index_name, document_id, passage_no, content_hash, vector_hash, synced_at)
  select distinct on (t.id, t.no) p_index_name, t.id, t.no, t.hash, p_vector_hashes[t.ord], now()
  from (
    select u.id, u.hash, coalesce(p_passage_nos[u.ord], 0) as no, u.ord
    from unnest(p_document_ids, p_content_hashes) with ordinality as u(id, hash, ord)
  ) as t
  order by t.id, t.no, t.ord desc
  on conflict (index_name, document_id, passage_no) do update
  set content_hash = excluded.content_hash, vector_hash = excluded.vector_hash, synced_at = excluded.synced_at;
  get diagnostics written = row_count;
  return written;
end
$$;
comment on function vector_sync.upsert_index_state(text, text[], text[], text[], integer[]) is
  'Records what an index holds, per vector: the content hash of the document its passage (0 when not given) was cut from, '
  'and the hash of the vector written.';

drop function vector_sync.delete_index_state(text, text[]);

create function vector_sync.delete_index_state(p_index_name text, p_document_ids text[], p_passage_nos integer[] default null)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  removed integer;
begin
  perform vector_sync.check_document_ids(p_document_ids);
  if p_passage_nos is not null and pg_catalog.cardinality(p_passage_nos) <> coalesce(pg_catalog.cardinality(p_document_ids), 0) then
    raise exception 'passage numbers (%) must be as many as the document ids (%)',
      pg_catalog.cardinality(p_passage_nos), coalesce(pg_catalog.cardinality(p_document_ids), 0) using errcode = '22023';
  end if;
  if not exists (select 1 from vector_sync.indexes as i where i.index_name = p_index_name) then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  -- Lock in (id, passage) order first (the locking clause runs above the sort), then delete what was locked.
  with wanted as (
    select u.id, p_passage_nos[u.ord] as no from unnest(p_document_ids) with ordinality as u(id, ord)
  ),
  doomed as (
    select s.document_id, s.passage_no
    from vector_sync.index_state as s
    where s.index_name = p_index_name
      and exists (select 1 from wanted as w where w.id = s.document_id and (w.no is null or w.no = s.passage_no))
    order by s.document_id, s.passage_no
    for update
  )
  delete from vector_sync.index_state as s
  using doomed as d
  where s.index_name = p_index_name and s.document_id = d.document_id and s.passage_no = d.passage_no;
  get diagnostics removed = row_count;
  return removed;
end
$$;
comment on function vector_sync.delete_index_state(text, text[], integer[]) is
  'Forgets vectors an index held: every passage of the documents, or (with p_passage_nos) the listed passage of each.';

create or replace function vector_sync.queue_missing_from(p_index_name text, p_run_id uuid)
returns integer
language sql
volatile
set search_path = ''
as $$
  select vector_sync.send_unless_waiting('vector_sync', array(
    select distinct e.document_id::text
    from public.document_embeddings as e
    where not exists (
        select 1 from vector_sync.index_state as s
        where s.index_name = p_index_name and s.document_id = e.document_id::text and s.passage_no = e.passage_no
      )
      and not exists (select 1 from vector_sync.rejections as j where j.run_id = p_run_id and j.document_id = e.document_id::text)
  ));
$$;

drop function vector_sync.index_stats(text);
create function vector_sync.index_stats(p_index_name text)
returns table (total_vectors bigint, total_documents bigint, last_synced_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select pg_catalog.count(*), pg_catalog.count(*) filter (where s.passage_no = 0), pg_catalog.max(s.synced_at)
  from vector_sync.index_state as s where s.index_name = p_index_name;
$$;
comment on function vector_sync.index_stats(text) is
  'What an index holds: vectors (passages), documents (their first passages) and when it was last written.';

revoke execute on function
  vector_sync.upsert_index_state(text, text[], text[], text[], integer[]),
  vector_sync.delete_index_state(text, text[], integer[]),
  vector_sync.index_stats(text)
from public, anon, authenticated;

-- Status and health count documents and vectors -----------------------------------------------------
create or replace view vector_sync.document_status
with (security_invoker = true)
as
-- Documents that exist.
select
  d.id::text as document_id,
  a.logical_name,
  a.index_name,
  pg_catalog.split_part(v.verdict, ':', 1) as status,
  case pg_catalog.split_part(v.verdict, ':', 2)
    when 'unembedded' then 'no embedding yet' || coalesce('; the last attempt gave up: ' || (
      select l.error from vector_sync.dead_letters as l
      where l.queue = 'embedding_jobs' and l.document_id = d.id::text and l.failed_at >= d.updated_at
      order by l.failed_at desc limit 1), '')
    when 'outdated' then 'the content changed since it was embedded'
    when 'blank-held' then 'blank content: its vector is still to be deleted'
    when 'blank' then 'blank content is never embedded'
    when 'queued' then 'a change is queued for the index'
    when 'batched' then 'a change is in a batch not yet published'
    when 'in-run' then 'a run is writing it'
    when 'not-held' then 'embedded; the index does not hold it yet'
    when 'older' then 'the index holds an older embedding'
    when 'unchanged' then 'the last run found the index up to date'
    when 'rejected' then (
      select j.reason || coalesce(': ' || j.detail, '') from vector_sync.rejections as j
      where j.run_id = last.run_id and j.document_id = d.id::text)
    when 'failed' then coalesce((
      select c.error from vector_sync.chunks as c
      where c.run_id = last.run_id and c.state = 'failed'
        and coalesce(c.selector -> 'ids' ? (d.id::text), true)
      order by c.chunk_no limit 1), last.run_error, 'the run failed')
  end as reason,
  s.synced_at as indexed_at,
  c.current_hash as content_hash,
  e.content_hash as embedded_hash,
  s.content_hash as indexed_hash,
  d.updated_at as document_updated_at,
  e.updated_at as embedded_at,
  last.run_id as last_run_id,
  last.op as last_op,
  last.outcome as last_outcome,
  last.updated_at as last_seen_at,
  e.passages,
  s.vectors as indexed_vectors
from public.source_documents as d
left join lateral (
  -- The first passage stands for the document (every passage carries its content hash); the count is the passages.
  select p.document_id, p.content_hash, p.updated_at,
    (select pg_catalog.count(*) from public.document_embeddings as q where q.document_id = d.id) as passages
  from public.document_embeddings as p
  where p.document_id = d.id and p.passage_no = 0
) as e on true
left join vector_sync.indexes as a on a.state = 'active'
left join lateral (
  -- What the active generation holds of the document: its vectors, and their content hash when they all agree.
  select pg_catalog.max(h.document_id) as document_id, pg_catalog.count(*) as vectors, pg_catalog.max(h.synced_at) as synced_at,
    case when pg_catalog.count(distinct h.content_hash) = 1 then pg_catalog.min(h.content_hash) end as content_hash
  from vector_sync.index_state as h
  where h.index_name = a.index_name and h.document_id = d.id::text
) as s on true
cross join lateral (
  select
    d.content ~ '\S' as has_content,
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.content, 'UTF8')), 'hex') as current_hash
) as c
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at, r.state as run_state, r.error as run_error
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = d.id::text and (a.logical_name is null or g.logical_name = a.logical_name)
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
-- The checks run in order and stop at the first that holds (a CASE), so a document is probed only
-- as far as its status needs.
cross join lateral (
  select case
    when not c.has_content then case when s.document_id is null then 'deleted:blank' else 'pending_sync:blank-held' end
    when e.document_id is null then 'pending_embedding:unembedded'
    when e.content_hash <> c.current_hash then 'pending_embedding:outdated'
    when exists (
      select 1 from pgmq.q_vector_sync as q where q.read_ct = 0 and (q.message ->> 'id') = d.id::text
    ) then 'pending_sync:queued'
    when exists (
      select 1 from vector_sync.change_batches as b
      join vector_sync.change_batch_items as bi on bi.batch_id = b.batch_id and bi.document_id = d.id::text
      where b.state <> 'published' and (a.logical_name is null or b.logical_name = a.logical_name)
    ) then 'pending_sync:batched'
    when exists (
      select 1 from vector_sync.run_items as i
      join vector_sync.runs as r on r.run_id = i.run_id
      join vector_sync.indexes as g on g.index_name = r.index_name
      where i.outcome is null and i.document_id = d.id::text and r.state in ('accepted', 'chunked', 'dispatched')
        and (a.logical_name is null or g.logical_name = a.logical_name)
    ) then 'pending_sync:in-run'
    when s.content_hash = e.content_hash and s.vectors = e.passages then case when last.outcome = 'skipped' then 'unchanged:unchanged' else 'indexed:' end
    when last.updated_at >= e.updated_at and last.outcome in ('rejected', 'failed') then last.outcome || ':' || last.outcome
    when last.updated_at >= e.updated_at and last.outcome is null and last.run_state = 'failed' then 'failed:failed'
    when s.document_id is null then 'pending_sync:not-held'
    else 'pending_sync:older'
  end as verdict
) as v

union all

-- Gone documents whose vector the active generation still holds: the delete is pending (or failed).
select
  s.document_id,
  a.logical_name,
  a.index_name,
  case when last.outcome = 'failed' or (last.outcome is null and last.run_state = 'failed') then 'failed' else 'pending_sync' end,
  case when last.outcome = 'failed' or (last.outcome is null and last.run_state = 'failed')
    then coalesce((
      select c.error from vector_sync.chunks as c
      where c.run_id = last.run_id and c.state = 'failed' and coalesce(c.selector -> 'ids' ? s.document_id, true)
      order by c.chunk_no limit 1), last.run_error, 'the run failed')
    else 'the document is gone; its vector is still to be deleted'
  end,
  s.synced_at,
  null::text,
  null::text,
  s.content_hash,
  null::timestamptz,
  null::timestamptz,
  last.run_id,
  last.op,
  last.outcome,
  last.updated_at,
  null::bigint,
  s.vectors
from vector_sync.indexes as a
join (
  select h.index_name, h.document_id, pg_catalog.count(*) as vectors, pg_catalog.max(h.synced_at) as synced_at, pg_catalog.min(h.content_hash) as content_hash
  from vector_sync.index_state as h
  group by h.index_name, h.document_id
) as s on s.index_name = a.index_name
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at, r.state as run_state, r.error as run_error
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = s.document_id and g.logical_name = a.logical_name
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
where a.state = 'active'
  and not exists (select 1 from public.source_documents as d where d.id::text = s.document_id)

union all

-- Gone documents a run deleted, which the active generation does not hold.
select
  x.document_id,
  a.logical_name,
  a.index_name,
  'deleted',
  case when last.op = 'delete' and last.outcome = 'deleted' then 'its vector was deleted' else 'the index holds nothing for it' end,
  case when last.op = 'delete' then last.updated_at end,
  null::text,
  null::text,
  null::text,
  null::timestamptz,
  null::timestamptz,
  last.run_id,
  last.op,
  last.outcome,
  last.updated_at,
  null::bigint,
  null::bigint
from (select distinct i.document_id from vector_sync.run_items as i where i.op = 'delete') as x
left join vector_sync.indexes as a on a.state = 'active'
left join lateral (
  select i.run_id, i.op, i.outcome, i.updated_at
  from vector_sync.run_items as i
  join vector_sync.runs as r on r.run_id = i.run_id
  join vector_sync.indexes as g on g.index_name = r.index_name
  where i.document_id = x.document_id and (a.logical_name is null or g.logical_name = a.logical_name)
  order by i.updated_at desc, i.run_id
  limit 1
) as last on true
where not exists (select 1 from public.source_documents as d where d.id::text = x.document_id)
  and not exists (select 1 from vector_sync.index_state as s where s.index_name = a.index_name and s.document_id = x.document_id);
comment on view vector_sync.document_status is
  'One row per document (and active generation): pending_embedding, pending_sync, indexed, unchanged, rejected, failed or deleted, with the reason, the generation and when it was indexed.';

revoke all on table vector_sync.document_status from public, anon, authenticated;

create or replace function vector_sync.index_health(
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
      (select pg_catalog.count(*) from vector_sync.index_state as s where s.index_name = v_active and s.passage_no = 0) as indexed_documents,
      (select pg_catalog.count(*) from public.document_embeddings) as embeddings,
      (select pg_catalog.count(*) from public.document_embeddings as e where e.passage_no = 0) as embedded_documents,
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
    'indexedDocuments', c.indexed_documents,
    'embeddedDocuments', c.embedded_documents,
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


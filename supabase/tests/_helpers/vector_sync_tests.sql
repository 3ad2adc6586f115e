-- Set-up helpers shared by the pgTAP files (as pgflow's pgflow_tests schema). Test-only: this file
-- is not a migration and never ships; tests/sql/pgtap.test.ts loads it once after the migrations,
-- before the test files, each of which still runs inside its own begin ... rollback.
--
-- A test names its runs by their source event id ('evt-1'), as the events do, and its index is
-- 'docsV1' of logical name 'docs' unless it says otherwise. Call the helpers as the owner: under
-- `set local role anon` a helper's own permission error would look like the one being asserted.

create schema if not exists vector_sync_tests;

-- Ledger ------------------------------------------------------------------------------------------

-- Registers an index of logical name 'docs' in 'vector-bucket', cosine.
create or replace function vector_sync_tests.register_index(
  p_index_name text default 'docsV1',
  p_dimension integer default 384
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform vector_sync.register_index(p_index_name, 'docs', 'vector-bucket', p_dimension, 'cosine');
end
$$;

-- The run opened by an event; raises P0001 (which no test expects) for an unknown event.
create or replace function vector_sync_tests.run_id(p_source_event_id text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v uuid;
begin
  select r.run_id into v from vector_sync.runs as r where r.source_event_id = p_source_event_id;
  if v is null then
    raise exception 'vector_sync_tests: no run was opened by event %', p_source_event_id;
  end if;
  return v;
end
$$;

-- Opens a run on docsV1 and, given a chunk size, adds the ids as chunks of that size (chunk 0 holds
-- the first ones); the run stays accepted. Returns the run id.
create or replace function vector_sync_tests.open_run(
  p_source_event_id text,
  p_op text,
  p_ids text[] default null,
  p_chunk_size integer default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_run_id uuid := (vector_sync.open_run(p_source_event_id, p_op, 'docsV1', p_ids)).run_id;
begin
  if p_chunk_size is not null then
    for i in 0 .. (coalesce(pg_catalog.cardinality(p_ids), 0) + p_chunk_size - 1) / p_chunk_size - 1 loop
      perform vector_sync.add_chunk(
        v_run_id, i, pg_catalog.jsonb_build_object('ids', p_ids[i * p_chunk_size + 1 : (i + 1) * p_chunk_size])
      );
    end loop;
  end if;
  return v_run_id;
end
$$;

-- open_run, then marks the run chunked: a run without ids (rebuild, verify) has no chunk.
create or replace function vector_sync_tests.chunked_run(
  p_source_event_id text,
  p_op text,
  p_ids text[] default null,
  p_chunk_size integer default 1
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_run_id uuid := vector_sync_tests.open_run(p_source_event_id, p_op, p_ids, p_chunk_size);
begin
  perform vector_sync.mark_run_chunked(
    v_run_id, (coalesce(pg_catalog.cardinality(p_ids), 0) + p_chunk_size - 1) / p_chunk_size
  );
  return v_run_id;
end
$$;

-- Marks a chunk dispatched by command p_command_id (default 'c-cmd<chunk_no>'), invocation
-- 't-<same suffix>', on instance 'i-inst0'.
create or replace function vector_sync_tests.dispatch_chunk(
  p_source_event_id text,
  p_chunk_no integer,
  p_command_id text default null
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_command_id text := coalesce(p_command_id, 'c-cmd' || p_chunk_no);
begin
  perform vector_sync.mark_chunk_dispatched(
    vector_sync_tests.run_id(p_source_event_id), p_chunk_no, v_command_id, 't-' || pg_catalog.substr(v_command_id, 3), 'i-inst0'
  );
end
$$;

-- Finishes a chunk as succeeded with the given counts.
create or replace function vector_sync_tests.succeed_chunk(
  p_source_event_id text,
  p_chunk_no integer,
  p_result jsonb default '{"upserted": 1}'
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform vector_sync.finish_chunk(vector_sync_tests.run_id(p_source_event_id), p_chunk_no, true, p_result, null);
end
$$;

-- Documents and embeddings ------------------------------------------------------------------------

-- The content hash as the sidecar stores it: hex SHA-256 of the UTF-8 bytes.
create or replace function vector_sync_tests.hash(p_content text)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_content, 'UTF8')), 'hex');
$$;

-- A 384-dimension vector with every component p_fill.
create or replace function vector_sync_tests.embedding(p_fill real default 0.1)
returns extensions.vector
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.array_fill(p_fill, array[384])::extensions.vector;
$$;

-- Writes the sidecar row of a document straight into the table (the triggers fire): the hash of its
-- current content unless another is given, the default embedding.
create or replace function vector_sync_tests.embed(
  p_document_id uuid,
  p_content_hash text default null,
  p_model text default 'test:model'
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.document_embeddings (document_id, content_hash, model, embedding)
  values (
    p_document_id,
    coalesce(
      p_content_hash,
      (select vector_sync_tests.hash(d.content) from public.source_documents as d where d.id = p_document_id)
    ),
    p_model,
    vector_sync_tests.embedding()
  );
end
$$;

-- Privileges --------------------------------------------------------------------------------------

-- How many of the named vector_sync functions public, anon or authenticated may execute.
create or replace function vector_sync_tests.executable_by_api_roles(p_function_names text[])
returns integer
language sql
stable
set search_path = ''
as $$
  select pg_catalog.count(*)::integer
  from pg_catalog.pg_proc as p
  join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
  where n.nspname = 'vector_sync'
    and p.proname = any (p_function_names)
    and (pg_catalog.has_function_privilege('public', p.oid, 'execute')
      or pg_catalog.has_function_privilege('anon', p.oid, 'execute')
      or pg_catalog.has_function_privilege('authenticated', p.oid, 'execute'));
$$;

-- How many of the named vector_sync functions set an empty search_path.
create or replace function vector_sync_tests.with_empty_search_path(p_function_names text[])
returns integer
language sql
stable
set search_path = ''
as $$
  select pg_catalog.count(*)::integer
  from pg_catalog.pg_proc as p
  join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
  where n.nspname = 'vector_sync'
    and p.proname = any (p_function_names)
    and coalesce(p.proconfig @> array['search_path=""'], false);
$$;

-- Reports and digests ------------------------------------------------------------------------------

-- A change-driven sync run on docsV1, opened from a one-id change batch of 'docs' and finished
-- (p_state 'completed' or 'failed') at p_finished_at. Returns the run id.
create or replace function vector_sync_tests.finished_change_run(
  p_source_event_id text,
  p_finished_at timestamptz default now(),
  p_state text default 'completed'
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_batch_id uuid;
  v_run_id uuid;
begin
  insert into vector_sync.change_batches (logical_name, id_count) values ('docs', 1) returning batch_id into v_batch_id;
  insert into vector_sync.change_batch_items (batch_id, document_id, changed_at)
  values (v_batch_id, p_source_event_id || '-doc', p_finished_at);
  v_run_id := (vector_sync.open_batch_run(p_source_event_id, v_batch_id, 'docsV1', 1)).run_id;
  update vector_sync.runs
  set state = p_state, chunk_count = 0, upserted = 1,
      completed_at = case when p_state = 'completed' then p_finished_at end,
      failed_at = case when p_state = 'failed' then p_finished_at end,
      error = case when p_state = 'failed' then 'chunk 0: test failure' end
  where run_id = v_run_id;
  return v_run_id;
end
$$;

-- Lets time pass for the digests: every digest window (and the runs held for it) moves p_by into
-- the past, so a window that was open has ended. p_by should be a whole number of windows.
create or replace function vector_sync_tests.age_digests(p_by interval default interval '1 day')
returns void
language plpgsql
set search_path = ''
as $$
begin
  update vector_sync.runs set digest_window_start = digest_window_start - p_by where digest_window_start is not null;
  update vector_sync.digests set window_start = window_start - p_by, window_end = window_end - p_by,
    claimed_at = claimed_at - p_by;
end
$$;

-- Lets time pass for the documents: every document and embedding was last written p_by earlier
-- (what a rebuild opened later reads as written before it began). The touch triggers are held off
-- for the move.
create or replace function vector_sync_tests.age_documents(p_by interval default interval '1 hour')
returns void
language plpgsql
set search_path = ''
as $$
begin
  alter table public.source_documents disable trigger source_documents_touch_updated_at;
  alter table public.document_embeddings disable trigger document_embeddings_touch_updated_at;
  update public.source_documents set updated_at = updated_at - p_by;
  update public.document_embeddings set updated_at = updated_at - p_by;
  alter table public.source_documents enable trigger source_documents_touch_updated_at;
  alter table public.document_embeddings enable trigger document_embeddings_touch_updated_at;
end
$$;

-- Documents and passages --------------------------------------------------------------------------

-- Writes a document as one passage, the whole content (what embed-documents writes for a short
-- one), with write_embeddings waiting for locks; true when it was written.
create or replace function vector_sync_tests.write_whole(
  p_document_id uuid,
  p_content_hash text,
  p_model text,
  p_embedding extensions.vector
)
returns boolean
language sql
set search_path = ''
as $$
  select exists (
    select 1 from vector_sync.write_embeddings(
      array[p_document_id], array[p_content_hash], array[0], array[null]::text[], array[0], array[null]::integer[],
      p_model, array[p_embedding], true)
  );
$$;

-- serialise index activation
--
-- Two rebuilds of one logical index finishing at the same instant (tests/concurrency/
-- runs-settlement.test.ts) both ran activate_index. Each locked only its own generation, so under
-- READ COMMITTED the second one's "retire the active generation" statement still saw the old
-- active row (the first one's activation was not committed when the statement began), retired
-- nothing new, and its own activation then hit the unique index indexes_one_active_per_logical_name:
-- a unique violation that failed the second rebuild's last chunk.
--
-- Now activate_index first locks every generation of the logical name, in index_name order (so two
-- activations cannot deadlock), and reads its own row again after the wait: the second activation
-- starts after the first has committed, sees the first generation active and retires it. The last
-- rebuild to finish wins; there is never more than one active generation. The lock is FOR NO KEY
-- UPDATE, which leaves inserts that only reference a generation (runs, index_state) free to go on.
-- The single-session contract is unchanged.

create or replace function vector_sync.activate_index(p_index_name text)
returns vector_sync.indexes
language plpgsql
set search_path = ''
as $$
declare
  v vector_sync.indexes;
  v_logical_name text;
begin
  select i.logical_name into v_logical_name from vector_sync.indexes as i where i.index_name = p_index_name;
  if not found then
    raise exception 'index % is not registered', p_index_name using errcode = 'P0002';
  end if;
  -- One activation per logical name at a time (a generation never changes its logical name).
  perform 1
  from vector_sync.indexes as i
  where i.logical_name = v_logical_name
  order by i.index_name
  for no key update;

  select * into strict v from vector_sync.indexes where index_name = p_index_name;
  if v.state = 'active' then
    return v;
  end if;
  if v.state <> 'building' then
    raise exception 'index % is %; only a building index can be activated', p_index_name, v.state
      using errcode = '55000';
  end if;

  -- Retire first: the partial unique index allows one active row per logical name at any moment.
  update vector_sync.indexes
  set state = 'retired', retired_at = now()
  where logical_name = v.logical_name and state = 'active';

  update vector_sync.indexes
  set state = 'active', activated_at = now()
  where index_name = p_index_name and state = 'building'
  returning * into v;
  return v;
end
$$;

revoke execute on function vector_sync.activate_index(text) from public, anon, authenticated;

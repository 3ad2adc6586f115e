-- create extensions, roles and schemas
--
-- Extensions live in `extensions` (Supabase's convention), pgmq in its own `pgmq` schema. The API
-- roles exist on every Supabase project; they are created here only where they are missing (PGlite,
-- plain Postgres) so that the grants and RLS policies of later migrations mean the same everywhere.

create schema if not exists extensions;

create extension if not exists vector with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pgmq;

do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = role_name) then
      execute format('create role %I nologin', role_name);
    end if;
  end loop;
end
$$;

-- The sync ledger and the queue helpers. Nothing in it is for the API roles: the edge functions,
-- the FC handlers and the ECS worker connect as a database owner with SUPABASE_DB_URL.
create schema if not exists vector_sync;
revoke all on schema vector_sync from public, anon, authenticated;
alter default privileges in schema vector_sync revoke all on tables from public, anon, authenticated;
alter default privileges in schema vector_sync revoke all on sequences from public, anon, authenticated;
alter default privileges in schema vector_sync revoke execute on functions from public, anon, authenticated;

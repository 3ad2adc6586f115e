-- Supabase Vault's SQL surface, for a PostgreSQL without supabase_vault (this machine's PostgreSQL
-- 15; Debian does not package it). Never a migration: local/supabase/standIns.ts installs it only
-- where supabase_vault is not available.
--
-- Mirrors supabase/vault 0.3 (sql/supabase_vault--0.3.0.sql): vault.secrets with the same columns,
-- the vault.decrypted_secrets view, vault.create_secret and vault.update_secret with the same
-- signatures, privileges revoked from public as there. The one difference: nothing is encrypted.
-- `secret` holds the plain text and decrypted_secret is the same column, so this is for local test
-- servers only, never for a real key. Idempotent: running it again changes nothing.

create schema if not exists vault;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is
  'Vault stand-in (local/supabase/sql/vault_stand_in.sql): the secret column is NOT encrypted here.';

create unique index if not exists secrets_name_idx on vault.secrets using btree (name) where name is not null;

create or replace view vault.decrypted_secrets as
select s.id, s.name, s.description, s.secret, s.secret as decrypted_secret, s.key_id, s.nonce, s.created_at, s.updated_at
from vault.secrets as s;

create or replace function vault.create_secret(
  new_secret text,
  new_name text = null,
  new_description text = '',
  -- unused, as in Vault 0.3
  new_key_id uuid = null
)
returns uuid
security definer
language plpgsql
set search_path = ''
as $$
declare
  created uuid;
begin
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description)
  returning id into created;
  return created;
end
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text = null,
  new_name text = null,
  new_description text = null,
  -- unused, as in Vault 0.3
  new_key_id uuid = null
)
returns void
security definer
language plpgsql
set search_path = ''
as $$
begin
  update vault.secrets as s
  set
    secret = coalesce(new_secret, s.secret),
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = pg_catalog.now()
  where s.id = secret_id;
end
$$;

revoke all on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) from public;
revoke all on table vault.secrets from public;
revoke all on table vault.decrypted_secrets from public;

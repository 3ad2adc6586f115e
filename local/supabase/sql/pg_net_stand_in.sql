-- pg_net's SQL surface, for a PostgreSQL without pg_net (this machine's PostgreSQL 15; Debian does
-- not package it). Never a migration: local/supabase/standIns.ts installs it only where pg_net is
-- not available, and local/supabase/pgNetCaller.ts plays pg_net's background worker.
--
-- Mirrors supabase/pg_net 0.20 (sql/pg_net.sql and its upgrades): the same schema, tables, domain
-- and public functions with the same signatures and defaults. net.http_get/http_post/http_delete
-- insert into net.http_request_queue and return the request id; the worker deletes queued rows,
-- performs them and writes net._http_response. Differences: the URL encoding is plain SQL rather
-- than curl's (params are appended, the URL is not normalised), net.wake() has nothing to wake
-- (the caller polls), and net.check_worker_is_up() looks for the caller's connection by its
-- application_name. Idempotent: running it again changes nothing.

create schema if not exists net;

do $$
begin
  if pg_catalog.to_regtype('net.http_method') is null then
    create domain net.http_method as text
    check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

-- Pending requests; the worker takes them with DELETE ... RETURNING.
create unlogged table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null
);

-- One row per performed request: a status and content, or timed_out / error_msg.
create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);

create index if not exists _http_response_created_idx on net._http_response (created);

-- curl_easy_escape: every byte but the unreserved characters becomes %XX.
create or replace function net._urlencode_string(string varchar)
returns text
language sql
immutable
as $$
  select case when string is null then null else coalesce((
    select pg_catalog.string_agg(
      case
        when b.byte between 48 and 57 or b.byte between 65 and 90 or b.byte between 97 and 122 or b.byte in (45, 46, 95, 126)
          then pg_catalog.chr(b.byte)
        else '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b.byte), 2, '0'))
      end,
      '' order by b.n
    )
    from (
      select n, pg_catalog.get_byte(pg_catalog.convert_to(string, 'UTF8'), n) as byte
      from pg_catalog.generate_series(0, pg_catalog.octet_length(pg_catalog.convert_to(string, 'UTF8')) - 1) as n
    ) as b
  ), '') end;
$$;

-- Appends already encoded `key=value` pairs to the URL's query.
create or replace function net._encode_url_with_params_array(url text, params_array text[])
returns text
language sql
immutable
as $$
  select case
    when url is null or params_array is null then null
    when pg_catalog.cardinality(params_array) = 0 then url
    else url || case when pg_catalog.strpos(url, '?') > 0 then '&' else '?' end || pg_catalog.array_to_string(params_array, '&')
  end;
$$;

-- The worker is a client here, not a background worker: nothing to signal.
create or replace function net.wake()
returns void
language sql
as $$ select $$;

create or replace function net.check_worker_is_up()
returns void
language plpgsql
as $$
begin
  if not exists (select 1 from pg_catalog.pg_stat_activity where application_name = 'pg_net stand-in caller') then
    raise exception using
      message = 'the pg_net stand-in caller is not up',
      detail = 'nothing performs the requests queued in net.http_request_queue',
      hint = 'start local/supabase/pgNetCaller.ts (startPgNetCaller) against this database';
  end if;
end
$$;
comment on function net.check_worker_is_up() is
  'raises an exception if the pg_net stand-in caller is not connected, otherwise it doesn''t return anything';

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as r(header_name, header_value)
  where lower(header_name) = 'content-type'
  limit 1;

  -- As pg_net: headers without a content type get JSON's; any other content type is refused.
  if content_type is null then
    select headers || '{"Content-Type": "application/json"}'::jsonb into headers;
  end if;
  if content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, params_array), headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create or replace function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000,
  body jsonb default null
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('DELETE', net._encode_url_with_params_array(url, params_array), headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;

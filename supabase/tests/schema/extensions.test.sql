-- The first migration creates the extensions, the API roles and the ledger schema.
begin;
select plan(5);

select has_extension('vector', 'pgvector is installed');
select has_extension('pgmq', 'pgmq is installed');
select has_extension('pgcrypto', 'pgcrypto is installed');
select has_schema('vector_sync', 'the ledger schema exists');
select ok(not has_schema_privilege('anon', 'vector_sync', 'usage'), 'anon cannot use the ledger schema');

select * from finish();
rollback;

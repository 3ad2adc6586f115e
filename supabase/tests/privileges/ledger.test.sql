-- The API roles can neither read nor write the ledger nor call its functions.
begin;
select plan(18);

select vector_sync_tests.register_index();
select vector_sync_tests.open_run('evt-1', 'verify');
create temporary table ledger_functions as
select unnest(array[
  'register_index', 'activate_index', 'mark_index_dropped', 'active_index', 'open_run', 'fail_run', 'add_chunk',
  'mark_run_chunked', 'mark_chunk_dispatched', 'mark_chunk_running', 'finish_chunk', 'requeue_chunk',
  'silent_chunks', 'chunk_for_command', 'complete_run', 'mark_report_sent', 'record_items', 'record_rejection',
  'upsert_index_state', 'delete_index_state', 'record_index_writes', 'index_stats', 'check_document_ids', 'index_health',
  'claim_change_batch', 'change_backlog', 'batches_to_publish', 'mark_batch_published', 'fail_batch_publish', 'open_batch_run',
  'plan_chunk_instance', 'chunk_slots_taken', 'next_waiting_chunks', 'touch_stale_ready_chunks',
  'digest_window_start', 'settle_run_report', 'due_digests', 'claim_digest', 'digest_row', 'mark_digest_sent',
  'fail_digest', 'record_digest_resend', 'runs_ready_to_close', 'retire_abandoned_generations', 'refuse_chunk_attempt',
  'record_outcomes', 'mark_chunk_writes_done', 'queue_missing_from'
]) as name;

select ok(
  not has_table_privilege('anon', 'vector_sync.runs', 'select,insert,update,delete'),
  'anon holds no privilege on runs'
);
select ok(
  not has_table_privilege('authenticated', 'vector_sync.chunks', 'select,insert,update,delete'),
  'authenticated holds no privilege on chunks'
);
select ok(
  not has_table_privilege('anon', 'vector_sync.change_batch_items', 'select,insert,update,delete'),
  'anon holds no privilege on change batch items'
);
select ok(
  not has_table_privilege('anon', 'vector_sync.digests', 'select,insert,update,delete'),
  'anon holds no privilege on digests'
);
select ok(
  not has_table_privilege('anon', 'vector_sync.run_history', 'select'),
  'anon cannot select run_history'
);
select ok(
  not has_table_privilege('anon', 'vector_sync.document_status', 'select'),
  'anon cannot select document_status'
);
select ok(
  not has_function_privilege('anon', 'vector_sync.open_run(text, text, text, text[], text, jsonb)', 'execute'),
  'anon cannot execute open_run'
);
select ok(
  not has_function_privilege('authenticated', 'vector_sync.complete_run(uuid)', 'execute'),
  'authenticated cannot execute complete_run'
);
select is(
  vector_sync_tests.executable_by_api_roles(array(select name from ledger_functions)),
  0,
  'no ledger function is executable by public, anon or authenticated'
);
select is(
  vector_sync_tests.with_empty_search_path(array(select name from ledger_functions)),
  48,
  'every one of the 48 ledger functions sets an empty search_path'
);

set local role anon;
select throws_ok($$select * from vector_sync.runs$$, '42501', null, 'anon cannot read runs');
select throws_ok($$select * from vector_sync.run_history$$, '42501', null, 'anon cannot read run_history');
select throws_ok(
  $$insert into vector_sync.indexes (index_name, logical_name, bucket, dimension, metric) values ('evilV1', 'docs', 'vector-bucket', 3, 'cosine')$$,
  '42501', null, 'anon cannot write indexes'
);
select throws_ok($$delete from vector_sync.index_state$$, '42501', null, 'anon cannot delete index_state');
select throws_ok($$select vector_sync.open_run('evt-anon', 'verify', 'docsV1')$$, '42501', null, 'anon cannot execute open_run');
select throws_ok($$select * from vector_sync.index_stats('docsV1')$$, '42501', null, 'anon cannot execute index_stats');
select throws_ok($$select vector_sync.index_health('docs')$$, '42501', null, 'anon cannot execute index_health');
reset role;

set local role authenticated;
select throws_ok($$update vector_sync.runs set state = 'completed'$$, '42501', null, 'authenticated cannot update runs');
reset role;

select * from finish();
rollback;

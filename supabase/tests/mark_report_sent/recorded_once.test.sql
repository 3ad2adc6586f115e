-- The report of a run is recorded as sent once.
begin;
select plan(6);

do $$
declare
  r uuid;
begin
  perform vector_sync.register_index('docsV1', 'docs', 'vector-bucket', 384, 'cosine');
  r := (vector_sync.open_run('evt-1', 'rebuild', 'docsV1')).run_id;
  perform vector_sync.mark_run_chunked(r, 0);
  perform vector_sync.open_run('evt-2', 'verify', 'docsV1');
end
$$;
create temporary table the_run as select run_id from vector_sync.runs where source_event_id = 'evt-1';

select throws_ok(
  $$select vector_sync.mark_report_sent((select run_id from the_run), 'msg-early')$$,
  '55000', null, 'no report is recorded for a run that has not ended'
);
do $$ begin perform vector_sync.complete_run((select run_id from the_run)); end $$;
select is(vector_sync.mark_report_sent((select run_id from the_run), 'msg-1'), true, 'the first call records the report');
select is(vector_sync.mark_report_sent((select run_id from the_run), 'msg-2'), false, 'a second call does not move it');
select is(
  (select report_message_id from vector_sync.runs where run_id = (select run_id from the_run)),
  'msg-1',
  'the first message id stands'
);
select throws_ok(
  $$select vector_sync.mark_report_sent('00000000-0000-0000-0000-000000000000', 'msg-x')$$,
  'P0002', null, 'an unknown run raises no_data_found'
);
select throws_ok(
  $$select vector_sync.mark_report_sent((select run_id from vector_sync.runs where source_event_id = 'evt-2'), 'msg-3')$$,
  '55000', null, 'an accepted run cannot have its report sent'
);

select * from finish();
rollback;

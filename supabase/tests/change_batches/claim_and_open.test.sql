-- A publish cycle claims queued ids into one change batch; validate opens the batch's one run.
begin;
select plan(23);

select vector_sync_tests.register_index();
select pgmq.purge_queue('vector_sync');
select pgmq.send_batch('vector_sync', array[
  '{"id": "00000000-0000-4000-8000-0000000000b1"}',
  '{"id": "00000000-0000-4000-8000-0000000000B2"}',
  '{"id": "not-a-uuid"}',
  '{"id": "00000000-0000-4000-8000-0000000000b3"}'
]::jsonb[]);
-- The same document queued again after its first message was read once (a retry): coalesced into
-- the batch that reads it, the oldest queue time kept.
update pgmq.q_vector_sync set read_ct = 1, enqueued_at = now() - interval '5 minutes'
where message ->> 'id' = '00000000-0000-4000-8000-0000000000b1';
select pgmq.send('vector_sync', '{"id": "00000000-0000-4000-8000-0000000000b1"}'::jsonb);

create temporary table first_claim as select * from vector_sync.claim_change_batch('docs', 2, 30);
select is((select count(*)::int from first_claim), 1, 'a claim returns one batch');
select is((select id_count from first_claim), 2, 'p_max_ids bounds the messages read: two messages, two ids');
select is((select count(*)::int from pgmq.q_vector_sync), 3, 'the claimed messages are deleted from the queue');

create temporary table second_claim as select * from vector_sync.claim_change_batch('docs', 100, 30);
select is((select id_count from second_claim), 2, 'the next claim takes the rest: one bad message parked, b3 and the second b1');
select is((select count(*)::int from pgmq.q_vector_sync), 0, 'the queue is empty');
select is(
  (select count(*)::int from vector_sync.dead_letters where error like 'message carries no document uuid%'),
  1, 'the message without a document uuid is parked once with its reason'
);
select is(
  (select array_agg(document_id order by document_id) from vector_sync.change_batch_items where batch_id = (select batch_id from first_claim)),
  array['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2'],
  'batch items are lower-case document ids'
);
select ok(
  (select changed_at from vector_sync.change_batch_items where batch_id = (select batch_id from first_claim) and document_id = '00000000-0000-4000-8000-0000000000b1') < now() - interval '4 minutes',
  'changed_at is when the change was queued'
);
select is((select count(*)::int from vector_sync.claim_change_batch('docs', 100, 30)), 0, 'an empty queue makes no batch');

-- Publishing: a new batch is leased to the cycle that claimed it; once the lease ends (that cycle
-- died before publishing) it is due, and leased again to the cycle that takes it.
select is((select count(*)::int from vector_sync.batches_to_publish('docs', 60, 10)), 0, 'new batches are leased to the claiming cycle');
update vector_sync.change_batches set next_publish_at = now() - interval '1 second';
select is((select count(*)::int from vector_sync.batches_to_publish('docs', 60, 10)), 2, 'both claimed batches are due once their lease ends');
select is((select count(*)::int from vector_sync.batches_to_publish('docs', 60, 10)), 0, 'leased batches are not handed out twice');
select is((vector_sync.mark_batch_published((select batch_id from first_claim))).state, 'published', 'a published batch is marked');
select is((vector_sync.mark_batch_published((select batch_id from first_claim))).state, 'published', 'marking twice is harmless');

select is((vector_sync.fail_batch_publish((select batch_id from second_claim), 'PutEvents: 503', 2, 1, 10)).state, 'claimed', 'a failed publish stays claimed for the next cycle');
select is((select publish_attempts from vector_sync.change_batches where batch_id = (select batch_id from second_claim)), 1, 'the attempt is counted');
select is((vector_sync.fail_batch_publish((select batch_id from second_claim), 'PutEvents: 503', 2, 1, 10)).state, 'parked', 'the last attempt parks the batch');
select is((select last_error from vector_sync.change_batches where batch_id = (select batch_id from second_claim)), 'PutEvents: 503', 'with its reason');

-- Opening the run: keyed by the event id, one run per batch.
create temporary table opened as
select * from vector_sync.open_batch_run((select batch_id::text from first_claim), (select batch_id from first_claim), 'docsV1', 2, 'supabase.edge');
select is((select ids_total from opened), 2, 'the run counts the batch''s ids');
select is(
  (select count(*)::int from vector_sync.run_items where run_id = (select run_id from opened) and changed_at is not null),
  2, 'run items carry when each change was queued'
);
select is(
  (vector_sync.open_batch_run('another-event-id', (select batch_id from first_claim), 'docsV1', 2, 'supabase.edge')).run_id,
  (select run_id from opened),
  'a second event for the same batch finds the same run'
);
select throws_ok(
  format($$select vector_sync.open_batch_run('evt-x', %L, 'docsV1', 3)$$, (select batch_id from second_claim)),
  '22023', null, 'an id count that differs from the batch is refused'
);
select throws_ok(
  $$select vector_sync.open_batch_run('evt-y', '00000000-0000-4000-8000-00000000ffff', 'docsV1', 1)$$,
  'P0002', null, 'an unknown batch is refused'
);

select * from finish();
rollback;

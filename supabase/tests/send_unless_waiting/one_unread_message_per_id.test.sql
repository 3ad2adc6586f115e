-- send_unless_waiting keeps at most one unread message per id in a queue, and the queue itself
-- refuses a second one (unique partial index), whoever sends it.
begin;
select plan(10);

select pgmq.purge_queue('vector_sync');

select is(
  vector_sync.send_unless_waiting('vector_sync', array['b', 'a', 'b', null, 'c']),
  3,
  'one message per distinct id; null ids are left out'
);
select set_eq(
  $$select message from pgmq.q_vector_sync$$,
  $$values ('{"id": "a"}'::jsonb), ('{"id": "b"}'::jsonb), ('{"id": "c"}'::jsonb)$$,
  'each message is {"id": ...} and nothing more'
);
select ok(
  (select bool_and(vt <= clock_timestamp() and read_ct = 0) from pgmq.q_vector_sync),
  'the messages are visible at once and unread, as pgmq.send leaves them'
);
select is(
  array(select message ->> 'id' from pgmq.q_vector_sync order by msg_id),
  array['a', 'b', 'c'],
  'sent in id order (two senders of overlapping ids lock in one order)'
);

create temporary table before_second_send on commit drop as select msg_id, vt from pgmq.q_vector_sync;
select is(vector_sync.send_unless_waiting('vector_sync', array['a', 'c', 'd']), 1, 'ids with an unread message waiting are skipped');
select set_eq(
  $$select msg_id, vt from pgmq.q_vector_sync where message ->> 'id' <> 'd'$$,
  $$select msg_id, vt from before_second_send$$,
  'the waiting messages are left as they were (locked, not rewritten)'
);

-- A reader took 'a': a worker may hold its old state, so a new change needs a new message.
select msg_id from pgmq.read('vector_sync', 30, 1);
select is(vector_sync.send_unless_waiting('vector_sync', array['a']), 1, 'an id whose message was read gets a new one');
select is(
  (select count(*)::int from pgmq.q_vector_sync where message ->> 'id' = 'a' and read_ct = 0),
  1,
  'exactly one unread message per id'
);

select throws_ok(
  $$select pgmq.send('vector_sync', '{"id": "b"}')$$,
  '23505', null,
  'the queue refuses a second unread message for an id, even from pgmq.send'
);
select throws_ok(
  $$select vector_sync.send_unless_waiting('no_such_queue', array['a'])$$,
  '22023', 'unknown queue no_such_queue',
  'an unknown queue is refused'
);

select * from finish();
rollback;

-- retry_or_park backs off exponentially with jitter, then parks the message in the archive and
-- vector_sync.dead_letters once it has been read p_max_attempts times.
begin;
select plan(13);

insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-000000000001', 'fails to embed');
create temporary table msg on commit drop as select msg_id from pgmq.q_embedding_jobs;

select msg_id from pgmq.read('embedding_jobs', 1, 1);
select is(
  vector_sync.retry_or_park('embedding_jobs', (select msg_id from msg), 'provider 503', 'embed', 3, 10, 15),
  'retry',
  'a first failure is retried'
);
select ok(
  (select vt >= clock_timestamp() + interval '9 seconds' and vt <= clock_timestamp() + interval '12 seconds'
   from pgmq.q_embedding_jobs where msg_id = (select msg_id from msg)),
  'after read 1 the message is hidden for base * 2^0 = 10 s plus at most 20 %'
);

update pgmq.q_embedding_jobs set vt = clock_timestamp() - interval '1 second';
select msg_id from pgmq.read('embedding_jobs', 1, 1);
select is(
  vector_sync.retry_or_park('embedding_jobs', (select msg_id from msg), 'provider 503', 'embed', 3, 10, 15),
  'retry',
  'a second failure is retried'
);
select ok(
  (select vt >= clock_timestamp() + interval '14 seconds' and vt <= clock_timestamp() + interval '18 seconds'
   from pgmq.q_embedding_jobs where msg_id = (select msg_id from msg)),
  'after read 2 the delay is capped at p_max_delay_seconds = 15 s (20 s uncapped) plus at most 20 %'
);

update pgmq.q_embedding_jobs set vt = clock_timestamp() - interval '1 second';
select msg_id from pgmq.read('embedding_jobs', 1, 1);
select is(
  vector_sync.retry_or_park('embedding_jobs', (select msg_id from msg), 'provider 503 again', 'embed', 3, 10, 15),
  'parked',
  'the failure of read 3 of 3 parks the message'
);
select is((select count(*)::int from pgmq.q_embedding_jobs), 0, 'the parked message has left the queue');
select is(
  (select count(*)::int from pgmq.a_embedding_jobs where msg_id = (select msg_id from msg)),
  1,
  'the parked message is in the pgmq archive'
);
select results_eq(
  $$select queue, msg_id, document_id, read_ct, step, error from vector_sync.dead_letters$$,
  $$select 'embedding_jobs'::text, (select msg_id from msg), '00000000-0000-4000-8000-000000000001'::text, 3, 'embed'::text, 'provider 503 again'::text$$,
  'a dead_letters row records queue, message, document, reads, step and error'
);

-- Defaults: 5 attempts, 10 s base.
select pgmq.send('vector_sync', '{"id": "00000000-0000-4000-8000-000000000002"}');
update pgmq.q_vector_sync set read_ct = 4;
select is(
  vector_sync.retry_or_park('vector_sync', (select max(msg_id) from pgmq.q_vector_sync), 'oss timeout', 'publish'),
  'retry',
  'with the defaults a fourth read is still retried'
);
select ok(
  (select vt >= clock_timestamp() + interval '79 seconds' and vt <= clock_timestamp() + interval '97 seconds'
   from pgmq.q_vector_sync),
  'with the defaults read 4 waits 10 * 2^3 = 80 s plus at most 20 %'
);
update pgmq.q_vector_sync set read_ct = 5;
select is(
  vector_sync.retry_or_park('vector_sync', (select max(msg_id) from pgmq.q_vector_sync), 'oss timeout', 'publish'),
  'parked',
  'with the defaults the fifth read parks'
);

select is(
  vector_sync.retry_or_park('vector_sync', -1, 'gone', 'publish'),
  'missing',
  'a message that no longer exists is reported missing'
);
select throws_ok(
  $$select vector_sync.retry_or_park('no_such_queue', 1, 'x', 'embed')$$,
  '22023',
  null,
  'an unknown queue is refused'
);

select * from finish();
rollback;

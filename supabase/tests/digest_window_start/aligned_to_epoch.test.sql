-- Digest windows are REPORT_DIGEST_MINUTES long and start at multiples of that length since the epoch.
begin;
select plan(7);

select is(vector_sync.digest_window_start('2026-12-04 10:37:12+00', 60), '2026-12-04 10:00:00+00'::timestamptz, 'an hour window starts on the hour');
select is(vector_sync.digest_window_start('2026-12-04 10:37:12+00', 15), '2026-12-04 10:30:00+00'::timestamptz, 'a 15-minute window starts at :30');
select is(vector_sync.digest_window_start('2026-12-04 10:30:00+00', 15), '2026-12-04 10:30:00+00'::timestamptz, 'a window holds its own start');
select is(vector_sync.digest_window_start('2026-12-04 10:29:59.999+00', 15), '2026-12-04 10:15:00+00'::timestamptz, 'and not its end');
select is(vector_sync.digest_window_start('2026-12-04 23:59:59+05', 1440), '2026-12-04 00:00:00+00'::timestamptz, 'a day window starts at midnight UTC');
select throws_ok($$select vector_sync.digest_window_start(now(), 0)$$, '22023', null, 'a window of 0 minutes is refused');
select throws_ok($$select vector_sync.digest_window_start(now(), 1441)$$, '22023', null, 'a window longer than a day is refused');

select * from finish();
rollback;

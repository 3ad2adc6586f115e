// The barrier itself: racers released together really overlap on the server.
import { expect, it } from 'vitest';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';

describeOnServer('concurrency barrier', () => {
  const db = useConcurrencyDatabase();

  it('releases every racer at once: each one starts before any one ends', async () => {
    // Prepare
    const clients = await db.clients(6);
    // Act
    const spans = fulfilled(
      await atOnce(db.sql, clients, async (sql) => {
        const [row] = await sql<{ pid: number; started: Date; ended: Date }[]>`
          select pg_backend_pid() as pid, clock_timestamp() as started, (select clock_timestamp() from pg_sleep(0.2)) as ended`;
        if (!row) throw new Error('no row');
        return row;
      }),
    );
    // Assert: six backends, and the latest start comes before the earliest end (they overlapped).
    expect(new Set(spans.map((span) => span.pid)).size).toBe(6);
    const latestStart = Math.max(...spans.map((span) => span.started.getTime()));
    const earliestEnd = Math.min(...spans.map((span) => span.ended.getTime()));
    expect(latestStart).toBeLessThan(earliestEnd);
  });
});

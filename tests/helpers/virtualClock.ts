// A clock tests drive by hand: `sleep` parks a timer, and `drive` runs a piece of work to its end,
// letting every promise settle before it moves time to the next timer. Nothing waits for real, so
// tests can assert when calls happened (in virtual milliseconds) without timed assertions.
import { setImmediate as nextTurn } from 'node:timers/promises';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** A virtual clock: `now()` in milliseconds, `sleep(ms)` resolved when `drive` reaches it. */
export class VirtualClock {
  private time = 0;
  private seq = 0;
  private readonly timers: Timer[] = [];

  /** Virtual milliseconds since the clock was made. */
  readonly now = (): number => this.time;

  /** The same time as a Date (what the OSS Vectors transport's `now` hook gives). */
  readonly date = (): Date => new Date(this.time);

  /** Waits `ms` virtual milliseconds. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve });
    });

  /** Runs `work` to its end, moving time from timer to timer whenever nothing else can run. */
  async drive<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const watched = work.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    for (let idle = 0; !done; ) {
      await nextTurn();
      if (done) break;
      const next = this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq).shift();
      if (next) {
        this.time = Math.max(this.time, next.at);
        next.resolve();
        idle = 0;
      } else if ((idle += 1) > 1000) {
        throw new Error('the work neither finished nor set a timer');
      }
    }
    return watched;
  }
}

import { PushRetryStrategy } from '../../shared/routing';
import type { DeadLetterRecord, DeliveredEvent, DeliveryRecord, InvokableFunction, StoredTarget } from './types';

/** Settings of the delivery side of the bus. */
export interface DelivererOptions {
  /** Multiplies every retry wait: 0.001 turns 10-20 s into 10-20 ms. */
  readonly timeScale: number;
  readonly random?: () => number;
}

/** Where one matched event goes. */
export interface DeliveryJob {
  readonly event: DeliveredEvent;
  readonly bus: string;
  readonly rule: string;
  readonly target: StoredTarget;
  /** This push repeats one already delivered (a duplicate is not duplicated again). */
  readonly duplicate?: boolean;
}

/**
 * Fault knob: EventBridge delivers at least once, so a delivered event may be pushed to its target
 * again. A share `rate` of delivered events is pushed once more after a random wait of up to
 * `maxDelayMs`; `duplicated` counts them.
 */
export interface DuplicateDeliveries {
  rate: number;
  maxDelayMs: number;
  duplicated: number;
}

/** EXPONENTIAL_DECAY_RETRY: 176 retries, doubling from 1 s to 512 s, then 512 s until about a day. */
const EXPONENTIAL_RETRIES = 176;
const EXPONENTIAL_CAP_SECONDS = 512;
/** BACKOFF_RETRY: 3 retries, each after a random 10-20 s. */
const BACKOFF_RETRIES = 3;

/** The wait before each retry, in seconds, for a push retry strategy. */
export function retryDelays(strategy: string, random: () => number = Math.random): number[] {
  if (strategy === PushRetryStrategy.ExponentialDecay) {
    return Array.from({ length: EXPONENTIAL_RETRIES }, (_, i) => Math.min(EXPONENTIAL_CAP_SECONDS, 2 ** i));
  }
  return Array.from({ length: BACKOFF_RETRIES }, () => 10 + random() * 10);
}

class Closed extends Error {}

/**
 * Pushes matched events to FC functions as EventBridge does: the whole CloudEvent as the body,
 * failures retried after the target's strategy, exhausted events recorded as dead letters.
 * Every attempt lands in the delivery log.
 */
export class Deliverer {
  readonly deliveries: DeliveryRecord[] = [];
  readonly deadLetters: DeadLetterRecord[] = [];
  readonly duplicates: DuplicateDeliveries = { rate: 0, maxDelayMs: 0, duplicated: 0 };
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly functions: ReadonlyMap<string, InvokableFunction>, private readonly options: DelivererOptions) {}

  /** Starts delivering in the background; PutEvents does not wait for targets. */
  deliver(job: DeliveryJob): void {
    const run = this.run(job).catch((error: unknown) => {
      if (!(error instanceof Closed)) throw error;
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Deliveries in flight or waiting for a retry. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Resolves once no delivery is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Stops pending retries; in-flight invocations finish but are not retried. */
  close(): void {
    this.closed = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
  }

  private async run(job: DeliveryJob): Promise<void> {
    const functionName = /functions\/([^/]+)$/u.exec(job.target.Endpoint)?.[1] ?? job.target.Endpoint;
    const delays = retryDelays(job.target.PushRetryStrategy ?? 'BACKOFF_RETRY', this.options.random);
    let lastError = '';
    for (let attempt = 1; attempt <= delays.length + 1; attempt += 1) {
      if (attempt > 1) await this.wait((delays[attempt - 2] ?? 0) * 1000 * this.options.timeScale);
      lastError = await this.attempt(job, functionName);
      const at = new Date().toISOString();
      const base = { eventId: job.event.id, bus: job.bus, rule: job.rule, targetId: job.target.Id, functionName, attempt, at };
      this.deliveries.push(lastError === '' ? { ...base, outcome: 'delivered' } : { ...base, outcome: 'failed', error: lastError });
      if (lastError === '') {
        await this.maybeDuplicate(job);
        return;
      }
      if (this.closed) return;
    }
    this.deadLetters.push({
      event: job.event,
      bus: job.bus,
      rule: job.rule,
      targetId: job.target.Id,
      functionName,
      deadLetterArn: job.target.DeadLetterQueue?.Arn ?? null,
      attempts: delays.length + 1,
      lastError,
      at: new Date().toISOString(),
    });
  }

  /** With the duplicates knob set, pushes a delivered event once more after a random wait. */
  private async maybeDuplicate(job: DeliveryJob): Promise<void> {
    const random = this.options.random ?? Math.random;
    if (job.duplicate || this.duplicates.rate <= 0 || random() >= this.duplicates.rate) return;
    this.duplicates.duplicated += 1;
    await this.wait(random() * this.duplicates.maxDelayMs);
    this.deliver({ ...job, duplicate: true });
  }

  /** One push; returns '' on success or the reason it failed. */
  private async attempt(job: DeliveryJob, functionName: string): Promise<string> {
    if (job.target.Type !== 'acs.fc.function') return `target type ${job.target.Type} is not emulated`;
    const body = (job.target.ParamList ?? []).find((param) => param.ResourceKey === 'Body');
    if (body && body.Form !== 'ORIGINAL') return `Body form ${body.Form} is not emulated (only ORIGINAL)`;
    const fn = this.functions.get(functionName);
    if (!fn) return `FunctionNotFound: function ${functionName} is not registered`;
    try {
      const result = await fn.invoke(Buffer.from(JSON.stringify(job.event)));
      return result.ok ? '' : `${result.errorHeader}: ${result.error.errorMessage}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private wait(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new Closed());
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, () => reject(new Closed()));
    });
  }
}

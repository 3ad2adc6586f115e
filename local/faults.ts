import { randomUUID } from 'node:crypto';
import { PermanentError } from '../shared/errors';

/** What a fault does to a matching request. */
export type FaultKind =
  /** Answer with an error status (429, 5xx...) in the service's own error format. */
  | 'status'
  /** Accept the request and answer nothing until `hangMs` passes, then close the socket. */
  | 'hang'
  /** Destroy the connection without an answer. */
  | 'drop';

/** A fault rule as given by a test or over the admin path. */
export interface FaultSpec {
  /** Operation name as the emulator names it (e.g. `PutVectors`, `putEvents`, `RunCommand`), or `*`. */
  readonly operation: string;
  readonly kind: FaultKind;
  /** For `status`: the HTTP status; default 503. */
  readonly status?: number;
  /** For `status`: the service error code to put in the body, when the service has codes. */
  readonly code?: string;
  /** Extra response headers, e.g. `{ "retry-after": "1" }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For `hang`: how long to hold the request; default 600,000 ms. */
  readonly hangMs?: number;
  /** Apply to the next N matching calls, then retire. */
  readonly count?: number;
  /** Apply to each matching call with this probability (0..1); unlimited unless `count` is set too. */
  readonly rate?: number;
}

/** A rule in force, with its id and how often it fired. */
export interface FaultRule extends FaultSpec {
  readonly id: string;
  fired: number;
}

/** A fault rule that cannot be applied (bad kind, rate, status or count). */
export class FaultSpecError extends PermanentError {}

function check(spec: FaultSpec): void {
  if (typeof spec.operation !== 'string' || spec.operation === '') throw new FaultSpecError('fault operation is missing');
  if (!['status', 'hang', 'drop'].includes(spec.kind)) throw new FaultSpecError(`fault kind "${String(spec.kind)}" is not status, hang or drop`);
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)) {
    throw new FaultSpecError(`fault status ${String(spec.status)} is not an HTTP error status (400-599)`);
  }
  if (spec.rate !== undefined && !(spec.rate > 0 && spec.rate <= 1)) throw new FaultSpecError(`fault rate ${String(spec.rate)} is not in (0, 1]`);
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
    throw new FaultSpecError(`fault count ${String(spec.count)} is not a positive whole number`);
  }
  if (spec.count === undefined && spec.rate === undefined) {
    throw new FaultSpecError('a fault needs count (next N calls) or rate (a share of calls), or both');
  }
}

/**
 * Faults on demand for one emulator: rules by operation that make the next N calls, or a share
 * of calls, answer an error status, hang, or drop the connection. The first rule in force that
 * matches a call decides.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a rule; returns it with its id. */
  add(spec: FaultSpec): FaultRule {
    check(spec);
    const rule: FaultRule = { ...spec, id: randomUUID(), fired: 0 };
    this.rules.push(rule);
    return rule;
  }

  /** Removes one rule; false when there was none with this id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The rules in force, in the order they are tried. */
  list(): readonly FaultRule[] {
    return this.rules;
  }

  /** The rule that applies to this call of `operation`, if any; counts it as fired. */
  take(operation: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.fired += 1;
      if (rule.count !== undefined && rule.fired >= rule.count) this.remove(rule.id);
      return rule;
    }
    return undefined;
  }
}

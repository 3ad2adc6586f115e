// The fault plan of a chaos run: which fault hits which hop when, drawn from the seed alone, so
// the same seed gives the same plan. Every hop gets every kind of fault at least once; the rest of
// the window is filled with faults drawn at random.
import type { FaultSpec } from '../faults';
import type { SeededRandom } from './random';

/** The hops of the pipeline a fault can hit. */
export const Hop = {
  Postgres: 'postgres',
  EventBridge: 'eventbridge',
  Functions: 'functions',
  CloudAssistant: 'cloud-assistant',
  Worker: 'worker',
  OssVectors: 'oss-vectors',
  Resend: 'resend',
} as const;
export type Hop = (typeof Hop)[keyof typeof Hop];

/** Which emulator's fault injector a rule goes to: a service, or one FC function (`fc/<name>`). */
export type RuleTarget = 'eventbridge' | 'cloud-assistant' | 'oss-vectors' | 'resend' | `fc/${string}`;

/** What a planned fault does when its time comes. */
export type FaultAction =
  /** A rule in an emulator's fault injector, removed after `forMs`. */
  | { readonly action: 'rule'; readonly target: RuleTarget; readonly rule: FaultSpec; readonly forMs: number }
  /** Postgres connections cut by the proxy: in flight, idle, or refused before they reach the server. */
  | { readonly action: 'postgres'; readonly mode: 'in-flight' | 'idle' | 'refuse'; readonly count: number }
  /** A share of delivered events pushed again, for `forMs`. */
  | { readonly action: 'duplicates'; readonly rate: number; readonly maxDelayMs: number; readonly forMs: number }
  /** The next `count` Cloud Assistant TaskCompleted events never reach the bus. */
  | { readonly action: 'lose-task-completed'; readonly count: number }
  /** An instance's Cloud Assistant agent goes offline for `forMs`. */
  | { readonly action: 'agent-offline'; readonly instanceId: string; readonly forMs: number }
  /** The worker of a running chunk is killed. */
  | { readonly action: 'kill-worker' };

/** One fault of the plan: when (ms after the window opens), which hop, what kind, and what it does. */
export type PlannedFault = { readonly atMs: number; readonly hop: Hop; readonly kind: string } & FaultAction;

/** What the plan is drawn for. */
export interface FaultPlanInput {
  readonly windowMs: number;
  /** The FC functions that can crash or time out. */
  readonly functions: readonly string[];
  readonly instances: readonly string[];
}

/**
 * One kind of fault. A `sparse` one hits calls that are few (a chunk makes a handful of OSS Vectors
 * calls, a run one e-mail): it waits in force for its next calls until the window ends, instead of
 * holding for a spell in which no call may come.
 */
type Template = { readonly hop: Hop; readonly kind: string; readonly sparse?: boolean; make(random: SeededRandom): FaultAction };

/** How long a rate-based rule stays in force. */
function spell(random: SeededRandom): number {
  return Math.round(random.between(3_000, 12_000));
}

function rule(target: RuleTarget | ((random: SeededRandom) => RuleTarget), make: (random: SeededRandom) => FaultSpec): (random: SeededRandom) => FaultAction {
  return (random) => ({ action: 'rule', target: typeof target === 'function' ? target(random) : target, rule: make(random), forMs: spell(random) });
}

const rate = (random: SeededRandom): number => Number(random.between(0.2, 0.6).toFixed(2));

/** Every kind of fault, by hop. */
function templates(input: FaultPlanInput): Template[] {
  const fn = (random: SeededRandom): RuleTarget => `fc/${random.pick(input.functions)}`;
  const vectorWrites = ['PutVectors', 'DeleteVectors'] as const;
  const vectorCalls = ['PutVectors', 'DeleteVectors', 'GetVectors', 'ListVectors', 'QueryVectors', 'GetVectorIndex', 'PutVectorIndex', 'DeleteVectorIndex'] as const;
  return [
    { hop: Hop.Postgres, kind: 'connection dropped in flight', make: (r) => ({ action: 'postgres', mode: 'in-flight', count: r.int(1, 3) }) },
    { hop: Hop.Postgres, kind: 'idle connection dropped', make: (r) => ({ action: 'postgres', mode: 'idle', count: r.int(1, 4) }) },
    { hop: Hop.Postgres, kind: 'connection refused', make: (r) => ({ action: 'postgres', mode: 'refuse', count: r.int(1, 5) }) },
    { hop: Hop.EventBridge, kind: 'PutEvents 5xx', make: rule('eventbridge', (r) => ({ operation: 'putEvents', kind: 'status', status: r.pick([500, 503]), code: 'InternalError', rate: rate(r) })) },
    { hop: Hop.EventBridge, kind: 'PutEvents throttled', make: rule('eventbridge', (r) => ({ operation: 'putEvents', kind: 'status', status: 429, code: 'Throttling', rate: rate(r) })) },
    { hop: Hop.EventBridge, kind: 'PutEvents hang', sparse: true, make: rule('eventbridge', (r) => ({ operation: 'putEvents', kind: 'hang', hangMs: r.int(2_000, 12_000), count: r.int(1, 3) })) },
    { hop: Hop.EventBridge, kind: 'PutEvents dropped', sparse: true, make: rule('eventbridge', (r) => ({ operation: 'putEvents', kind: 'drop', count: r.int(1, 4) })) },
    { hop: Hop.EventBridge, kind: 'PutEvents entry failed', sparse: true, make: rule('eventbridge', (r) => ({ operation: 'PutEventsEntry', kind: 'status', code: 'InternalError', count: r.int(1, 5) })) },
    { hop: Hop.EventBridge, kind: 'event delivered twice', make: (r) => ({ action: 'duplicates', rate: rate(r), maxDelayMs: r.int(0, 3_000), forMs: spell(r) }) },
    { hop: Hop.EventBridge, kind: 'TaskCompleted lost', make: (r) => ({ action: 'lose-task-completed', count: r.int(1, 2) }) },
    { hop: Hop.Functions, kind: 'instance crashed mid-invocation', make: (r) => ({ action: 'rule', target: fn(r), rule: { operation: 'Invoke', kind: 'drop', hangMs: r.int(50, 1_500), rate: rate(r) }, forMs: spell(r) }) },
    { hop: Hop.Functions, kind: 'invocation timed out', sparse: true, make: rule(fn, (r) => ({ operation: 'Invoke', kind: 'hang', hangMs: r.int(1_000, 6_000), count: r.int(1, 2) })) },
    { hop: Hop.Functions, kind: 'invocation throttled', make: (r) => ({ action: 'rule', target: fn(r), rule: { operation: 'Invoke', kind: 'status', status: 429, code: 'ResourceThrottled', rate: rate(r) }, forMs: spell(r) }) },
    { hop: Hop.CloudAssistant, kind: 'RunCommand 5xx', make: rule('cloud-assistant', (r) => ({ operation: 'RunCommand', kind: 'status', status: 503, code: 'ServiceUnavailable', rate: rate(r) })) },
    { hop: Hop.CloudAssistant, kind: 'RunCommand throttled', sparse: true, make: rule('cloud-assistant', (r) => ({ operation: 'RunCommand', kind: 'status', status: 400, code: 'Throttling.User', count: r.int(1, 4) })) },
    { hop: Hop.CloudAssistant, kind: 'RunCommand hang', sparse: true, make: rule('cloud-assistant', (r) => ({ operation: 'RunCommand', kind: 'hang', hangMs: r.int(2_000, 10_000), count: 1 })) },
    { hop: Hop.CloudAssistant, kind: 'DescribeInvocationResults 5xx', sparse: true, make: rule('cloud-assistant', (r) => ({ operation: 'DescribeInvocationResults', kind: 'status', status: 500, code: 'InternalError', count: r.int(1, 3) })) },
    { hop: Hop.CloudAssistant, kind: 'agent offline', make: (r) => ({ action: 'agent-offline', instanceId: r.pick(input.instances), forMs: r.int(3_000, 15_000) }) },
    { hop: Hop.Worker, kind: 'worker killed mid-chunk', make: () => ({ action: 'kill-worker' }) },
    { hop: Hop.OssVectors, kind: 'write throttled (429)', sparse: true, make: rule('oss-vectors', (r) => ({ operation: r.pick(vectorWrites), kind: 'status', status: 429, code: 'Throttling', count: r.int(1, 4) })) },
    { hop: Hop.OssVectors, kind: '5xx', sparse: true, make: rule('oss-vectors', (r) => ({ operation: r.pick(vectorCalls), kind: 'status', status: r.pick([500, 503]), code: r.pick(['InternalError', 'ServiceUnavailable']), count: r.int(1, 3) })) },
    { hop: Hop.OssVectors, kind: 'hang', sparse: true, make: rule('oss-vectors', (r) => ({ operation: r.pick(['PutVectors', 'QueryVectors', 'ListVectors', 'GetVectors'] as const), kind: 'hang', hangMs: r.int(2_000, 15_000), count: r.int(1, 2) })) },
    { hop: Hop.OssVectors, kind: 'connection dropped', sparse: true, make: rule('oss-vectors', (r) => ({ operation: '*', kind: 'drop', count: r.int(1, 3) })) },
    { hop: Hop.Resend, kind: '429', sparse: true, make: rule('resend', (r) => ({ operation: '*', kind: 'status', status: 429, code: 'rate_limit_exceeded', headers: { 'retry-after': '1' }, count: r.int(1, 3) })) },
    { hop: Hop.Resend, kind: '5xx', sparse: true, make: rule('resend', (r) => ({ operation: '*', kind: 'status', status: r.pick([500, 503]), code: 'internal_server_error', count: r.int(1, 2) })) },
  ];
}

function lasting(action: FaultAction): number {
  return 'forMs' in action ? action.forMs : 0;
}

/**
 * Draws the plan: each kind of fault once, then about one more every three seconds of the window,
 * each at a random moment that lets it end inside the window. At most one instance's agent is
 * offline at a time, so a chunk always has somewhere to run.
 */
export function planFaults(random: SeededRandom, input: FaultPlanInput): PlannedFault[] {
  const all = templates(input);
  const drawn = [...all, ...Array.from({ length: Math.round(input.windowMs / 3_000) }, () => random.pick(all))];
  const offline: { from: number; to: number }[] = [];
  const plan: PlannedFault[] = [];
  for (const template of drawn) {
    let action = template.make(random);
    const span = Math.min(lasting(action), input.windowMs);
    let atMs = Math.round(random.between(0, Math.max(1, input.windowMs - span)));
    if (template.sparse && action.action === 'rule') {
      atMs = Math.round(random.between(0, input.windowMs * 0.8));
      action = { ...action, forMs: input.windowMs - atMs };
    }
    if (action.action === 'agent-offline') {
      // A few tries for a free spell; a draw that finds none is left out.
      const free = (at: number): boolean => offline.every((spellOf) => at + span < spellOf.from || at > spellOf.to);
      for (let tries = 0; tries < 5 && !free(atMs); tries += 1) atMs = Math.round(random.between(0, Math.max(1, input.windowMs - span)));
      if (!free(atMs)) continue;
      offline.push({ from: atMs, to: atMs + span });
    }
    plan.push({ atMs, hop: template.hop, kind: template.kind, ...action });
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

/** How many faults of each hop and kind the plan holds. */
export function planCounts(plan: readonly PlannedFault[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const fault of plan) {
    const hop = (counts[fault.hop] ??= {});
    hop[fault.kind] = (hop[fault.kind] ?? 0) + 1;
  }
  return counts;
}

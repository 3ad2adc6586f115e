// Carries out a fault plan against a running local cloud and keeps count of what actually struck:
// a rule that matched no call, or a kill that found no running worker, injected nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultInjector, FaultRule } from '../faults';
import type { LocalCloud } from '../stack';
import type { PlannedFault, RuleTarget } from './faultPlan';
import type { PostgresFaultProxy } from './postgresProxy';
import type { SeededRandom } from './random';

/** How often one planned fault struck. */
interface Struck {
  readonly fault: PlannedFault;
  /** Set for rules: how often the rule fired is read from it at the end. */
  readonly rule?: FaultRule;
  readonly at: string;
  hits: number;
}

/** Faults by hop and kind: how many were planned and how many calls, connections or processes they hit. */
export type FaultTally = Record<string, Record<string, { planned: number; injected: number }>>;

/** Applies planned faults to the cloud, lifts them, and tallies what struck. */
export class FaultInjection {
  private readonly struck: Struck[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly offline = new Set<string>();
  private lostTaskCompletedPlanned = 0;
  private duplicatesAtStart = 0;
  private lifted = false;

  constructor(
    private readonly cloud: LocalCloud,
    private readonly proxy: PostgresFaultProxy,
    private readonly random: SeededRandom,
  ) {
    this.duplicatesAtStart = cloud.eventBridge.duplicates.duplicated;
  }

  /** Applies one fault now; rules and spells are lifted after their time by themselves. */
  async apply(fault: PlannedFault): Promise<void> {
    if (this.lifted) return;
    const entry: Struck = { fault, at: new Date().toISOString(), hits: 0 };
    switch (fault.action) {
      case 'rule': {
        const added = this.injector(fault.target).add(fault.rule);
        this.struck.push({ ...entry, rule: added });
        this.later(fault.forMs, () => this.injector(fault.target).remove(added.id));
        return;
      }
      case 'postgres':
        this.struck.push(entry);
        if (fault.mode === 'refuse') this.proxy.refuseNext(fault.count);
        else if (fault.mode === 'in-flight') this.proxy.dropInFlight(fault.count);
        else entry.hits = this.proxy.dropIdle(fault.count);
        return;
      case 'duplicates': {
        this.struck.push(entry);
        const knob = this.cloud.eventBridge.duplicates;
        knob.rate = fault.rate;
        knob.maxDelayMs = fault.maxDelayMs;
        this.later(fault.forMs, () => void (knob.rate = 0));
        return;
      }
      case 'lose-task-completed':
        this.struck.push(entry);
        this.lostTaskCompletedPlanned += fault.count;
        this.cloud.lostTaskCompleted.drop += fault.count;
        return;
      case 'agent-offline':
        this.struck.push(entry);
        this.offline.add(fault.instanceId);
        this.cloud.cloudAssistant.runner.setInstanceState(fault.instanceId, 'agent-offline');
        entry.hits = 1;
        this.later(fault.forMs, () => this.online(fault.instanceId));
        return;
      case 'kill-worker':
        this.struck.push(entry);
        entry.hits = (await this.killWorker()) ? 1 : 0;
        return;
    }
  }

  /** Lifts every fault still in force: rules, drops waiting, spells offline, duplicates, lost events. */
  liftAll(): void {
    this.lifted = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const { fault, rule } of this.struck) {
      if (fault.action === 'rule' && rule) this.injector(fault.target).remove(rule.id);
    }
    this.proxy.lift();
    this.cloud.eventBridge.duplicates.rate = 0;
    this.cloud.lostTaskCompleted.drop = 0;
    for (const instanceId of [...this.offline]) this.online(instanceId);
  }

  /** Faults by hop and kind, planned and injected (calls hit, connections cut, workers killed, events lost or doubled). */
  tally(): FaultTally {
    const tally: FaultTally = {};
    const add = (hop: string, kind: string, planned: number, injected: number): void => {
      const byKind = (tally[hop] ??= {});
      const row = (byKind[kind] ??= { planned: 0, injected: 0 });
      row.planned += planned;
      row.injected += injected;
    };
    for (const { fault, rule, hits } of this.struck) {
      if (fault.action === 'postgres' || fault.action === 'duplicates' || fault.action === 'lose-task-completed') add(fault.hop, fault.kind, 1, 0);
      else add(fault.hop, fault.kind, 1, rule ? rule.fired : hits);
    }
    const counts = this.proxy.counts;
    for (const [kind, injected] of [['connection dropped in flight', counts.droppedInFlight], ['idle connection dropped', counts.droppedIdle], ['connection refused', counts.refused]] as const) {
      if (tally.postgres?.[kind] || injected > 0) add('postgres', kind, 0, injected);
    }
    if (tally.eventbridge?.['event delivered twice']) add('eventbridge', 'event delivered twice', 0, this.cloud.eventBridge.duplicates.duplicated - this.duplicatesAtStart);
    if (tally.eventbridge?.['TaskCompleted lost']) add('eventbridge', 'TaskCompleted lost', 0, this.lostTaskCompletedPlanned - this.cloud.lostTaskCompleted.drop);
    return tally;
  }

  /** Every fault applied, with when and (for rules) how often it fired: for the run's work dir. */
  record(): { at: string; fault: PlannedFault; struck: number }[] {
    return this.struck.map(({ fault, rule, at, hits }) => ({ at, fault, struck: rule ? rule.fired : hits }));
  }

  private injector(target: RuleTarget): FaultInjector {
    if (target === 'eventbridge') return this.cloud.eventBridge.faults;
    if (target === 'cloud-assistant') return this.cloud.cloudAssistant.faults;
    if (target === 'oss-vectors') return this.cloud.ossVectors.server.faults;
    if (target === 'resend') return this.cloud.resend.faults;
    const fn = this.cloud.functions.get(target.slice('fc/'.length) as never);
    if (!fn) throw new Error(`no function ${target}`);
    return fn.faults;
  }

  private online(instanceId: string): void {
    this.offline.delete(instanceId);
    this.cloud.cloudAssistant.runner.setInstanceState(instanceId, 'online');
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }

  /**
   * Kills the worker of a chunk that is running now (run-chunk.sh `exec`s the worker, so the
   * script's process is the worker once its bundle is checked); waits for one until the faults are
   * lifted. Chunks are short: the runner is polled often. False when none ran in time.
   */
  private async killWorker(): Promise<boolean> {
    const runner = this.cloud.cloudAssistant.runner;
    while (!this.lifted) {
      const scripts = runner.runningScripts();
      if (scripts.length > 0 && runner.killScript(this.random.pick(scripts).pgid)) return true;
      await sleep(25);
    }
    return false;
  }
}

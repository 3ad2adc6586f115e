import type { EventPattern } from '../../shared/routing';
import { checkPattern } from './checkPattern';
import { EventBridgeApiError } from './errors';
import type { StoredBus, StoredRule, StoredTarget } from './types';

/** Limits the emulator enforces on PutEvents (the stricter documented column) and on rules. */
export const EmulatorLimits = {
  maxEventsPerRequest: 16,
  maxRequestBytes: 256 * 1024,
  maxEventBytes: 64 * 1024,
  maxRulesPerBus: 50,
  maxTargetsPerRule: 5,
  /** Custom buses per region (the default bus not counted). */
  maxCustomBuses: 50,
} as const;

/** The bus every account has. */
export const DEFAULT_BUS = 'default';

/** Bus and rule names: up to 127 of [A-Za-z0-9-], starting with a letter or digit. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,126}$/u;

function checkName(kind: 'bus' | 'rule', name: string): void {
  if (!NAME_PATTERN.test(name) || name.startsWith('eventbridge-reserved-')) {
    throw new EventBridgeApiError(400, 'InvalidArgument', `${kind} name "${name}" must be 1-127 of [A-Za-z0-9-], start with a letter or digit, and not use a reserved prefix`);
  }
}

/** The buses, rules and targets of the local account. `default` always exists. */
export class EventBusStore {
  private readonly buses = new Map<string, StoredBus>();

  constructor(readonly region: string, readonly accountId: string) {
    this.buses.set(DEFAULT_BUS, { name: DEFAULT_BUS, description: 'default bus', createTimestamp: Date.now(), rules: new Map() });
  }

  busArn(bus: string): string {
    return `acs:eventbridge:${this.region}:${this.accountId}:eventbus/${bus}`;
  }

  ruleArn(bus: string, rule: string): string {
    return `${this.busArn(bus)}/rule/${rule}`;
  }

  list(): StoredBus[] {
    return [...this.buses.values()];
  }

  has(name: string): boolean {
    return this.buses.has(name);
  }

  bus(name: string): StoredBus {
    const bus = this.buses.get(name);
    if (!bus) throw new EventBridgeApiError(404, 'EventBusNotExist', `event bus ${name} does not exist`);
    return bus;
  }

  createBus(name: string, description: string): StoredBus {
    checkName('bus', name);
    if (this.buses.has(name)) throw new EventBridgeApiError(409, 'EventBusAlreadyExist', `event bus ${name} already exists`);
    const custom = [...this.buses.keys()].filter((bus) => bus !== DEFAULT_BUS).length;
    // The limits page gives the count but no error code; named like the rule and target limits.
    if (custom >= EmulatorLimits.maxCustomBuses) throw new EventBridgeApiError(400, 'ExceededEventBusLimit', `the region already has ${EmulatorLimits.maxCustomBuses} custom event buses`);
    const bus: StoredBus = { name, description, createTimestamp: Date.now(), rules: new Map() };
    this.buses.set(name, bus);
    return bus;
  }

  deleteBus(name: string): void {
    if (name === DEFAULT_BUS) throw new EventBridgeApiError(400, 'InvalidArgument', 'the default bus cannot be deleted');
    this.bus(name);
    this.buses.delete(name);
  }

  rule(busName: string, name: string): StoredRule {
    const rule = this.bus(busName).rules.get(name);
    if (!rule) throw new EventBridgeApiError(404, 'EventRuleNotExisted', `rule ${name} does not exist on bus ${busName}`);
    return rule;
  }

  createRule(busName: string, name: string, fields: { description: string; status: string; filterPattern: string }): StoredRule {
    const bus = this.bus(busName);
    checkName('rule', name);
    if (bus.rules.has(name)) throw new EventBridgeApiError(409, 'EventRuleAlreadyExist', `rule ${name} already exists on bus ${busName}`);
    if (bus.rules.size >= EmulatorLimits.maxRulesPerBus) throw new EventBridgeApiError(400, 'ExceededRuleLimit', `bus ${busName} already has ${EmulatorLimits.maxRulesPerBus} rules`);
    EventBusStore.parsePattern(fields.filterPattern);
    const now = Date.now();
    const rule: StoredRule = { name, ...fields, targets: new Map(), ctime: now, mtime: now };
    bus.rules.set(name, rule);
    return rule;
  }

  putTargets(rule: StoredRule, targets: readonly StoredTarget[]): void {
    const ids = new Set([...rule.targets.keys(), ...targets.map((target) => target.Id)]);
    if (ids.size > EmulatorLimits.maxTargetsPerRule) throw new EventBridgeApiError(400, 'ExceededTargetLimit', `a rule takes at most ${EmulatorLimits.maxTargetsPerRule} targets`);
    for (const target of targets) rule.targets.set(target.Id, target);
    rule.mtime = Date.now();
  }

  /** Parses and checks a FilterPattern string; an empty string means "match everything". */
  static parsePattern(text: string): EventPattern {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text === '' ? '{}' : text);
    } catch {
      throw new EventBridgeApiError(400, 'InvalidEventPattern', 'FilterPattern is not JSON');
    }
    const problems = checkPattern(parsed);
    if (problems.length > 0) throw new EventBridgeApiError(400, 'InvalidEventPattern', `FilterPattern is invalid: ${problems.join('; ')}`);
    return parsed as EventPattern;
  }
}

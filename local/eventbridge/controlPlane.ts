import type * as z from 'zod';
import { formatIssues } from '../../shared/contracts';
import { ControlPlaneBodies } from './controlPlaneSchemas';
import { EventBridgeApiError } from './errors';
import { EventBusStore } from './EventBusStore';
import { matchPattern } from './matchPattern';
import type { StoredBus, StoredRule } from './types';

type Handler = (body: unknown, store: EventBusStore) => object;

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new EventBridgeApiError(400, 'InvalidArgument', formatIssues(result.error, body).join('; '));
  return result.data;
}

/** Pages a list with an index as NextToken, as the API's Limit/NextToken pair does. */
function page<T>(items: readonly T[], limit = 100, token = ''): { items: T[]; NextToken: string; Total: number } {
  const start = token === '' ? 0 : Number(token);
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : '';
  return { items: slice, NextToken: next, Total: items.length };
}

function busView(bus: StoredBus, store: EventBusStore) {
  return { EventBusName: bus.name, EventBusARN: store.busArn(bus.name), Description: bus.description, CreateTimestamp: bus.createTimestamp };
}

function ruleView(bus: string, rule: StoredRule, store: EventBusStore) {
  return {
    EventBusName: bus,
    RuleARN: store.ruleArn(bus, rule.name),
    RuleName: rule.name,
    Description: rule.description,
    Status: rule.status,
    FilterPattern: rule.filterPattern,
    Targets: [...rule.targets.values()],
    Ctime: rule.ctime,
    Mtime: rule.mtime,
  };
}

/** The control-plane operations by the SDK's action name (the last path segment). */
export const CONTROL_PLANE: Readonly<Record<string, Handler>> = {
  createEventBus(body, store) {
    const request = parse(ControlPlaneBodies.createEventBus, body);
    store.createBus(request.EventBusName, request.Description);
    return { EventBusARN: store.busArn(request.EventBusName) };
  },
  getEventBus(body, store) {
    return busView(store.bus(parse(ControlPlaneBodies.getEventBus, body).EventBusName), store);
  },
  deleteEventBus(body, store) {
    store.deleteBus(parse(ControlPlaneBodies.deleteEventBus, body).EventBusName);
    return {};
  },
  listEventBuses(body, store) {
    const request = parse(ControlPlaneBodies.listEventBuses, body);
    const buses = store.list().filter((bus) => bus.name.startsWith(request.NamePrefix ?? ''));
    const { items, NextToken, Total } = page(buses, request.Limit, request.NextToken);
    return { EventBuses: items.map((bus) => busView(bus, store)), NextToken, Total };
  },
  createRule(body, store) {
    const request = parse(ControlPlaneBodies.createRule, body);
    const rule = store.createRule(request.EventBusName, request.RuleName, {
      description: request.Description,
      status: request.Status,
      filterPattern: request.FilterPattern,
    });
    store.putTargets(rule, request.Targets);
    return { RuleARN: store.ruleArn(request.EventBusName, request.RuleName) };
  },
  getRule(body, store) {
    const request = parse(ControlPlaneBodies.rule, body);
    return ruleView(request.EventBusName, store.rule(request.EventBusName, request.RuleName), store);
  },
  listRules(body, store) {
    const request = parse(ControlPlaneBodies.listRules, body);
    const rules = [...store.bus(request.EventBusName).rules.values()].filter((rule) => rule.name.startsWith(request.RuleNamePrefix ?? ''));
    const { items, NextToken, Total } = page(rules, request.Limit, request.NextToken);
    return { Rules: items.map((rule) => ruleView(request.EventBusName, rule, store)), NextToken, Total };
  },
  updateRule(body, store) {
    const request = parse(ControlPlaneBodies.updateRule, body);
    const rule = store.rule(request.EventBusName, request.RuleName);
    if (request.FilterPattern !== undefined) EventBusStore.parsePattern(request.FilterPattern);
    rule.description = request.Description ?? rule.description;
    rule.status = request.Status ?? rule.status;
    rule.filterPattern = request.FilterPattern ?? rule.filterPattern;
    rule.mtime = Date.now();
    return {};
  },
  deleteRule(body, store) {
    const request = parse(ControlPlaneBodies.rule, body);
    store.rule(request.EventBusName, request.RuleName);
    store.bus(request.EventBusName).rules.delete(request.RuleName);
    return {};
  },
  enableRule(body, store) {
    const request = parse(ControlPlaneBodies.rule, body);
    store.rule(request.EventBusName, request.RuleName).status = 'ENABLE';
    return {};
  },
  disableRule(body, store) {
    const request = parse(ControlPlaneBodies.rule, body);
    store.rule(request.EventBusName, request.RuleName).status = 'DISABLE';
    return {};
  },
  createTargets(body, store) {
    const request = parse(ControlPlaneBodies.createTargets, body);
    store.putTargets(store.rule(request.EventBusName, request.RuleName), request.Targets);
    return { ErrorEntriesCount: 0, ErrorEntries: [] };
  },
  deleteTargets(body, store) {
    const request = parse(ControlPlaneBodies.deleteTargets, body);
    const rule = store.rule(request.EventBusName, request.RuleName);
    const missing = request.TargetIds.filter((id) => !rule.targets.delete(id));
    const errors = missing.map((id) => ({ EntryId: id, ErrorCode: 'EventTargetNotExisted', ErrorMessage: `target ${id} does not exist` }));
    return { ErrorEntriesCount: errors.length, ErrorEntries: errors };
  },
  listTargets(body, store) {
    const request = parse(ControlPlaneBodies.rule, body);
    return { Targets: [...store.rule(request.EventBusName, request.RuleName).targets.values()] };
  },
  testEventPattern(body) {
    const request = parse(ControlPlaneBodies.testEventPattern, body);
    let event: unknown;
    try {
      event = JSON.parse(request.Event);
    } catch {
      throw new EventBridgeApiError(400, 'InvalidArgument', 'Event is not JSON');
    }
    return { Result: matchPattern(EventBusStore.parsePattern(request.EventPattern), event) };
  },
};

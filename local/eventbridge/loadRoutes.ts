import { BusName, desiredTarget } from '../../shared/routing';
import type { Route } from '../../shared/routing';
import type { EventBusStore } from './EventBusStore';

/** Loads a routing declaration straight into the store, as the deployer would create it. */
export function loadRoutes(store: EventBusStore, routes: readonly Route[]): void {
  for (const route of routes) {
    if (route.bus !== BusName.Default && !store.has(route.bus)) store.createBus(route.bus, 'loaded from the routing declaration');
    const rule = store.createRule(route.bus, route.rule, { description: route.description, status: 'ENABLE', filterPattern: JSON.stringify(route.pattern) });
    const target = desiredTarget(route, { region: store.region, accountId: store.accountId });
    store.putTargets(rule, [
      {
        Id: target.id,
        Type: target.type,
        Endpoint: target.endpoint,
        PushRetryStrategy: target.pushRetryStrategy,
        ParamList: target.paramList.map((param) => ({ ResourceKey: param.resourceKey, Form: param.form })),
        ...(target.deadLetterArn ? { DeadLetterQueue: { Arn: target.deadLetterArn } } : {}),
        ...(target.errorsTolerance ? { ErrorsTolerance: target.errorsTolerance } : {}),
      },
    ]);
  }
}

// `npm run deploy:routing -- --region <r> --account-id <uid> [--function-prefix vector-sync-]
//   [--custom-buses-only] [--check] [--endpoint <host>]`
//
// Makes EventBridge hold the routing declared in shared/routing/routes.ts: the custom bus, its
// rules and their FC 3.0 targets (retry strategy, dead-letter queue). s.yaml runs it as the global
// success-deploy action; the local stack runs the same deployRouting. A second run changes nothing.
// `--check` only reports what would change and exits 1 when something would.
//
// Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (and
// ALIBABA_CLOUD_SECURITY_TOKEN for STS keys) of the deploying shell. Logs are JSON lines on stdout.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ControlPlane, createEventBridgeClient } from '../shared/clients/eventbridge';
import type { RemoteRule, TargetSpec } from '../shared/clients/eventbridge';
import { Logger } from '../shared/logging';
import { deployRouting } from '../shared/routing';

const USAGE =
  'usage: npm run deploy:routing -- --region <region> --account-id <uid> [--function-prefix <p>] [--custom-buses-only] [--check] [--endpoint <host>]';

/** A control plane that reads for real and records, instead of making, every change. */
class PlanningControlPlane extends ControlPlane {
  override async createBus(): Promise<void> {}
  override async createRule(_bus: string, _rule: Omit<RemoteRule, 'status'>, _targets: readonly TargetSpec[]): Promise<void> {}
  override async updateRule(): Promise<void> {}
  override async createTargets(): Promise<void> {}
  override async deleteTargets(): Promise<void> {}
  // A bus that is only planned has no rules yet.
  override async listRules(bus: string): Promise<RemoteRule[]> {
    return (await this.busExists(bus)) ? super.listRules(bus) : [];
  }
  override async listTargets(bus: string, rule: string): Promise<TargetSpec[]> {
    return (await this.busExists(bus)) ? super.listTargets(bus, rule) : [];
  }
  private buses: Promise<Set<string>> | undefined;
  private async busExists(bus: string): Promise<boolean> {
    this.buses ??= this.listBuses().then((all) => new Set(all.map((candidate) => candidate.name)));
    return bus === 'default' || (await this.buses).has(bus);
  }
}

function fail(log: Logger, message: string): never {
  log.error(message);
  process.stderr.write(`${USAGE}\n`);
  process.exit(64);
}

async function main(): Promise<number> {
  const log = new Logger({ fields: { component: 'deploy-routing', deployId: randomUUID() } });
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        region: { type: 'string' },
        'account-id': { type: 'string' },
        'function-prefix': { type: 'string', default: '' },
        'custom-buses-only': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        endpoint: { type: 'string' },
      },
    }));
  } catch (error) {
    fail(log, error instanceof Error ? error.message : String(error));
  }
  const region = values.region?.trim() ?? '';
  const accountId = values['account-id']?.trim() ?? '';
  if (!/^[a-z]{2}-[a-z0-9-]+$/u.test(region)) fail(log, `--region must be a region id such as cn-hangzhou, not "${region}"`);
  if (!/^\d{6,20}$/u.test(accountId)) fail(log, `--account-id must be the numeric Alibaba Cloud account id, not "${accountId}"`);
  const functionPrefix = values['function-prefix'];
  if (!/^[A-Za-z0-9_-]*$/u.test(functionPrefix)) fail(log, '--function-prefix may hold only letters, digits, _ and -');
  const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '';
  const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '';
  if (accessKeyId === '' || accessKeySecret === '') fail(log, 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set (keys allowed to manage EventBridge)');
  const endpoint = values.endpoint ?? process.env.EVENTBRIDGE_ENDPOINT ?? `${accountId}.eventbridge.${region}.aliyuncs.com`;
  const securityToken = process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const client = createEventBridgeClient({ endpoint, accessKeyId, accessKeySecret, regionId: region, ...(securityToken ? { securityToken } : {}) });
  const control = values.check ? new PlanningControlPlane(client) : new ControlPlane(client);

  log.info(values.check ? 'checking routing' : 'deploying routing', { endpoint, region, functionPrefix, customBusesOnly: values['custom-buses-only'] });
  const changes = await deployRouting(control, { region, accountId, functionPrefix, customBusesOnly: values['custom-buses-only'] });
  for (const change of changes) log.info(values.check ? 'would change' : 'changed', { change });
  log.info(values.check ? 'routing checked' : 'routing deployed', { changes: changes.length, upToDate: changes.length === 0 });
  return values.check && changes.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const failure = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', component: 'deploy-routing', message: 'routing deployment failed', error: failure })}\n`);
    process.exit(1);
  },
);

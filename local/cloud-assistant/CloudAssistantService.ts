import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import type { CommandRunner } from './CommandRunner';
import { CloudAssistantApiError } from './errors';
import { describeInvocationResults, describeInvocations } from './invocations';
import { parseRunCommand } from './requests';
import { verifyAcs3Signature } from './verifyAcs3Signature';
import type { SignatureContext } from './verifyAcs3Signature';

/** The API version the SDK sends in `x-acs-version`. */
const ECS_API_VERSION = '2014-05-26';

/** Everything the service needs to check a signature, except the moment of the call. */
export type SignatureSettings = Omit<SignatureContext, 'now'> & { readonly now: () => number };

const OPERATIONS = {
  RunCommand(runner: CommandRunner, query: URLSearchParams): object {
    const record = runner.start(parseRunCommand(query));
    return { RequestId: randomUUID(), CommandId: record.commandId, InvokeId: record.invokeId };
  },
  DescribeInvocations: describeInvocations,
  DescribeInvocationResults: describeInvocationResults,
} as const satisfies Record<string, (runner: CommandRunner, query: URLSearchParams) => object>;

type Operation = keyof typeof OPERATIONS;

function isOperation(action: string): action is Operation {
  return Object.hasOwn(OPERATIONS, action);
}

/**
 * The ECS RPC API as `@alicloud/ecs20140526` calls it with ACS3 signing: `POST /`, parameters
 * in the query, action and version in `x-acs-action`/`x-acs-version`, every call's signature
 * checked. Faults match on the action name (`RunCommand`).
 */
export class CloudAssistantService implements EmulatorService {
  readonly name = 'cloud-assistant';

  constructor(
    private readonly runner: CommandRunner,
    private readonly signatures: SignatureSettings,
    private readonly region: string,
  ) {}

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const action = request.headers['x-acs-action'];
    if (request.method !== 'POST' || request.url.pathname !== '/' || typeof action !== 'string' || !isOperation(action)) return undefined;
    return { operation: action, handle: (req) => this.handle(action, req) };
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    const requestId = randomUUID();
    return { status, headers: { 'content-type': 'application/json;charset=utf-8' }, body: { RequestId: requestId, HostId: 'ecs.aliyuncs.com', Code: code, Message: message } };
  }

  private handle(action: Operation, request: EmulatorRequest): EmulatorResponse {
    try {
      verifyAcs3Signature(request, { ...this.signatures, now: this.signatures.now() });
      if (request.headers['x-acs-version'] !== ECS_API_VERSION) {
        throw new CloudAssistantApiError(400, 'InvalidVersion', `version ${String(request.headers['x-acs-version'])} is not ${ECS_API_VERSION}`);
      }
      const region = request.url.searchParams.get('RegionId');
      if (region === null || region === '') throw new CloudAssistantApiError(400, 'MissingParam.RegionId', 'RegionId is required');
      if (region !== this.region) throw new CloudAssistantApiError(404, 'InvalidRegionId.NotFound', `region ${region} does not exist here (${this.region})`);
      return { status: 200, body: OPERATIONS[action](this.runner, request.url.searchParams) };
    } catch (error) {
      if (error instanceof CloudAssistantApiError) return this.errorResponse(error.status, error.code, error.message);
      throw error;
    }
  }
}

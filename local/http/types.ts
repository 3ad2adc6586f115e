import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** One request as an emulator route sees it: body already read. */
export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  /** The raw path as sent (before URL normalisation), e.g. for signature checks. */
  readonly rawPath: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly raw: IncomingMessage;
}

/** What a route answers. An object body is sent as JSON. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | object;
}

/** A matched route: the operation name (what faults match on) and its handler. */
export interface EmulatorRoute {
  readonly operation: string;
  handle(request: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
}

/** A service emulator: routes requests and formats errors in the service's own shape. */
export interface EmulatorService {
  /** Name in logs, e.g. `oss-vectors`. */
  readonly name: string;
  /** The route for a request, or undefined for 404. */
  route(request: EmulatorRequest): EmulatorRoute | undefined;
  /** An error answer in the service's format, used for unknown routes, faults and crashes. */
  errorResponse(status: number, code: string, message: string, request: EmulatorRequest): EmulatorResponse;
}

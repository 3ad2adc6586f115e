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

// A TCP proxy between the stack's clients (the FC functions and the worker) and the local Postgres
// that drops connections on demand, as a flaky network, a pooler restart or a failover would.
//
// It reads the Postgres wire protocol just enough to know where a connection stands: every
// request the client sent (the startup message, a simple Query, an extended-protocol Sync, a
// FunctionCall) is answered by exactly one ReadyForQuery. A connection is dropped only when the
// server owes it nothing: in flight, the proxy stops passing the client's new messages, lets the
// server finish what it has, withholds that last ReadyForQuery and then cuts both sides - so the
// client never learns whether its statement committed, the nastiest case for idempotency. The
// server never has a half-run message of a dead client, which PGlite's socket (one backend shared
// by every connection) could not roll back.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { SeededRandom } from './random';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Frontend messages that the server answers with one ReadyForQuery: Query, Sync, FunctionCall. */
const REQUESTS = new Set(['Q', 'S', 'F'].map((letter) => letter.charCodeAt(0)));
const READY_FOR_QUERY = 'Z'.charCodeAt(0);

/** What the proxy did, by kind of drop. */
export interface ProxyCounts {
  /** Connections cut while a request was in flight (its answer withheld). */
  droppedInFlight: number;
  /** Idle connections cut between requests (inside a transaction or not). */
  droppedIdle: number;
  /** New connections closed before they reached the server. */
  refused: number;
}

/** One proxied connection and where its protocol stands. */
class Link {
  /** Requests passed to the server whose ReadyForQuery has not come back. */
  outstanding = 0;
  doomed = false;
  closed = false;
  /** False after TLS was agreed (the bytes cannot be read): such a link is cut at once when doomed. */
  readable = true;
  private started = false;
  private pendingSslBytes = 0;
  private fromClient = Buffer.alloc(0);
  private fromServer = Buffer.alloc(0);

  constructor(readonly client: Socket, readonly server: Socket, private readonly onDropped: (link: Link) => void) {}

  /** Passes whole client messages on (none once doomed), counting the requests among them. */
  clientData(chunk: Buffer): void {
    if (this.doomed || this.closed) return;
    this.fromClient = Buffer.concat([this.fromClient, chunk]);
    let end = 0;
    for (;;) {
      const rest = this.fromClient.length - end;
      if (!this.started) {
        if (rest < 8) break;
        const length = this.fromClient.readInt32BE(end);
        const code = this.fromClient.readInt32BE(end + 4);
        if (rest < length) break;
        end += length;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.pendingSslBytes += 1;
        else if (code !== CANCEL_REQUEST) {
          this.started = true;
          this.outstanding += 1;
        }
        continue;
      }
      if (rest < 5) break;
      const length = 1 + this.fromClient.readInt32BE(end + 1);
      if (rest < length) break;
      if (REQUESTS.has(this.fromClient[end] ?? 0)) this.outstanding += 1;
      end += length;
    }
    if (end === 0) return;
    this.server.write(this.fromClient.subarray(0, end));
    this.fromClient = this.fromClient.subarray(end);
  }

  /** Passes server messages on; a doomed link is cut at the ReadyForQuery that settles its last request. */
  serverData(chunk: Buffer): void {
    if (this.closed) return;
    if (!this.readable) {
      this.client.write(chunk);
      return;
    }
    this.fromServer = Buffer.concat([this.fromServer, chunk]);
    let end = 0;
    if (this.pendingSslBytes > 0 && this.fromServer.length > 0) {
      this.pendingSslBytes -= 1;
      // 'S' or 'G': the rest is encrypted and cannot be followed.
      if (this.fromServer[0] !== 'N'.charCodeAt(0)) this.readable = false;
      end = 1;
    }
    while (this.readable && this.fromServer.length - end >= 5) {
      const length = 1 + this.fromServer.readInt32BE(end + 1);
      if (this.fromServer.length - end < length) break;
      if (this.fromServer[end] === READY_FOR_QUERY) {
        this.outstanding = Math.max(0, this.outstanding - 1);
        if (this.doomed && this.outstanding === 0) {
          this.client.write(this.fromServer.subarray(0, end));
          this.cut();
          return;
        }
      }
      end += length;
    }
    const upTo = this.readable ? end : this.fromServer.length;
    if (upTo > 0) this.client.write(this.fromServer.subarray(0, upTo));
    this.fromServer = this.fromServer.subarray(upTo);
  }

  /** Marks the link for a drop; one that owes nothing (or cannot be read) is cut at once. */
  doom(): void {
    this.doomed = true;
    if (this.outstanding === 0 || !this.readable) this.cut();
  }

  /** Closes both sides without a goodbye (no Terminate reaches the server). */
  cut(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.server.destroy();
    this.onDropped(this);
  }
}

/** A running fault proxy. */
export interface PostgresFaultProxy {
  /** `dbUrl` with its host and port replaced by the proxy's. */
  urlFor(dbUrl: string): string;
  /** Cuts `count` connections at their next answer (waiting for requests when none is in flight). */
  dropInFlight(count: number): void;
  /** Cuts up to `count` connections that owe nothing now; returns how many. */
  dropIdle(count: number): number;
  /** Closes the next `count` new connections before they reach the server. */
  refuseNext(count: number): void;
  /** Stops doing harm: pending drops and refusals are forgotten. */
  lift(): void;
  readonly counts: Readonly<ProxyCounts>;
  /** Connections open now. */
  open(): number;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 (a free port) in front of `target`. */
export async function startPostgresFaultProxy(target: { host: string; port: number }, random: SeededRandom): Promise<PostgresFaultProxy> {
  const links = new Set<Link>();
  const counts: ProxyCounts = { droppedInFlight: 0, droppedIdle: 0, refused: 0 };
  let refusals = 0;
  let inFlightDrops = 0;
  const dropped = (link: Link): void => {
    links.delete(link);
    if (link.doomed) counts.droppedInFlight += 1;
  };
  // A doom waiting for traffic takes the first link that sends a request.
  const claimPendingDrop = (link: Link): void => {
    if (inFlightDrops > 0 && !link.doomed && link.outstanding > 0) {
      inFlightDrops -= 1;
      link.doom();
    }
  };
  const server: Server = createServer((client) => {
    if (refusals > 0) {
      refusals -= 1;
      counts.refused += 1;
      client.destroy();
      return;
    }
    client.pause();
    const upstream = connect(target.port, target.host);
    const link = new Link(client, upstream, dropped);
    links.add(link);
    const end = (): void => {
      if (link.closed) return;
      link.closed = true;
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    upstream.once('connect', () => client.resume());
    client.on('data', (chunk: Buffer) => {
      link.clientData(chunk);
      claimPendingDrop(link);
    });
    upstream.on('data', (chunk: Buffer) => link.serverData(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    urlFor(dbUrl: string): string {
      const url = new URL(dbUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    dropInFlight(count: number): void {
      const busy = random.sample([...links].filter((link) => !link.doomed && link.outstanding > 0), count);
      for (const link of busy) link.doom();
      inFlightDrops += count - busy.length;
    },
    dropIdle(count: number): number {
      const idle = random.sample([...links].filter((link) => !link.doomed && link.outstanding === 0), count);
      for (const link of idle) {
        counts.droppedIdle += 1;
        link.cut();
      }
      return idle.length;
    },
    refuseNext(count: number): void {
      refusals += count;
    },
    lift(): void {
      refusals = 0;
      inFlightDrops = 0;
    },
    counts,
    open: () => links.size,
    async close(): Promise<void> {
      for (const link of links) link.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

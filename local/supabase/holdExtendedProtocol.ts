import type { PGlite } from '@electric-sql/pglite';

/** Frontend messages that end an extended-protocol sequence: Sync, and a simple Query. */
const SEQUENCE_END = new Set(['S', 'Q'].map((letter) => letter.charCodeAt(0)));
/** Frontend messages of the extended protocol: Parse, Bind, Describe, Execute, Close, Flush. */
const SEQUENCE_PART = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((letter) => letter.charCodeAt(0)));

/**
 * The database as pglite-socket's query queue should see it. The queue interleaves connections
 * message by message and keeps one connection to itself only inside an explicit transaction, so
 * two postgres.js connections sending Parse/Bind/Execute/Sync at once mix their unnamed
 * statements and portals ("bind message supplies 1 parameters, but prepared statement "" requires
 * 0", or one client reading the other's rows). Reporting "in transaction" from the first Parse
 * until its Sync makes the queue hold the connection for the whole sequence. A ROLLBACK the queue
 * runs for a client that went away ends the hold too.
 */
export function holdExtendedProtocol(db: PGlite): PGlite {
  let midSequence = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => midSequence || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const kind = message[0] ?? 0;
          if (SEQUENCE_PART.has(kind)) midSequence = true;
          else if (SEQUENCE_END.has(kind)) midSequence = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      if (property === 'exec') {
        return (...args: Parameters<PGlite['exec']>) => {
          midSequence = false;
          return target.exec(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // PGlite keeps its state in private fields: methods must run on the real instance.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

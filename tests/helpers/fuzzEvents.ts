// Generated bad events for the handlers' fuzz test: the fixtures of each handler's events bent by
// random mutations (missing and wrong-typed attributes, hostile strings, unknown and special keys,
// broken JSON, raw bytes), from a seed that reproduces the run. Only events the handler's contract
// refuses are kept, so every one must be refused.
import { fixture } from './fixtures';

/** A small seeded PRNG (mulberry32): the same seed gives the same events. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
type Json = any;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Values that break a field's type or carry what a careless store or renderer chokes on. */
const HOSTILE_VALUES: readonly (() => Json)[] = [
  () => null,
  () => 0,
  () => -1,
  () => 1e308,
  () => true,
  () => [],
  () => ({}),
  () => '',
  () => ' ',
  () => 'nul\u0000inside',
  () => '\ud800 lone surrogate',
  () => '<img src=x onerror=alert(1)>',
  () => '"><script>alert(1)</script>',
  () => "'; drop table vector_sync.runs; --",
  () => '$(reboot)',
  () => '__proto__',
  () => 'x'.repeat(70_000),
  () => ({ __proto__: { polluted: true } }),
  () => JSON.parse('{"__proto__": {"polluted": true}}') as Json,
  () => Array.from({ length: 2_000 }, (_, n) => n),
  () => '2026-13-45T99:99:99Z',
  () => '00000000-0000-0000-0000-00000000000g',
];

/** Keys a handler must never trust or drop silently. */
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'secret', '', ' ', 'nul\u0000key'];

function deepNest(depth: number): Json {
  let value: Json = 'deep';
  for (let n = 0; n < depth; n += 1) value = { a: value };
  return value;
}

/** One mutation of a parsed event; returns the new event (or raw text/bytes to send as is). */
const MUTATIONS: readonly ((event: Json, random: Random) => Json)[] = [
  (event, random) => {
    const key = pick(random, Object.keys(event));
    const copy = { ...event };
    delete copy[key];
    return copy;
  },
  (event, random) => ({ ...event, [pick(random, Object.keys(event))]: pick(random, HOSTILE_VALUES)() }),
  (event, random) => ({ ...event, type: pick(random, ['', 'vectorsync.run.exploded', 'VECTORSYNC.RUN.ACCEPTED', 42, null]) }),
  (event, random) => ({ ...event, source: pick(random, ['', 'attacker.example', 'acs.ecs ', 'vectorsync.pipeline\u0000', 7]) }),
  (event, random) => ({ ...event, specversion: pick(random, ['0.3', '1', 1, null, '']) }),
  (event, random) => {
    const data = event.data;
    if (typeof data !== 'object' || data === null) return { ...event, data: pick(random, HOSTILE_VALUES)() };
    const keys = Object.keys(data);
    if (keys.length === 0) return { ...event, data: null };
    const copy = { ...data };
    if (random() < 0.5) delete copy[pick(random, keys)];
    else copy[pick(random, keys)] = pick(random, HOSTILE_VALUES)();
    return { ...event, data: copy };
  },
  (event, random) => {
    const text = `{"${pick(random, SPECIAL_KEYS).replace(/[\\"]/gu, '')}": ${JSON.stringify(pick(random, HOSTILE_VALUES)())},`;
    return { raw: JSON.stringify(event).replace(/"data":\s*\{/u, `"data":${text.slice(0, -1)},"x":{`) };
  },
  (event, random) => ({ ...event, data: pick(random, [null, 'text', 12, [event.data], deepNest(200)]) }),
  (event, random) => ({ raw: JSON.stringify(event).slice(0, Math.floor(random() * JSON.stringify(event).length)) }),
  (_event, random) => ({ bytes: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256))) }),
  (event, random) => pick(random, [[event], [event, event], 'event', 17, null, { triggerName: '', triggerTime: 5 }]),
  (event) => ({ raw: JSON.stringify(event).replace('{', '{"id":"a","id":') }),
];

/** How a generated event is sent: a JSON value, raw text, or raw bytes. */
export function toBody(event: Json): Buffer {
  if (typeof event === 'object' && event !== null && 'bytes' in event && Buffer.isBuffer(event.bytes)) return event.bytes as Buffer;
  if (typeof event === 'object' && event !== null && 'raw' in event && typeof event.raw === 'string') return Buffer.from(event.raw, 'utf8');
  return Buffer.from(JSON.stringify(event) ?? 'undefined', 'utf8');
}

/** What a handler's contract says about a body: true when it would take it. */
export type Accepts = (body: Buffer) => boolean;

/**
 * `count` bad events for a handler whose events are the fixtures `bases`: each is one to three
 * random mutations of a random base, kept only when `accepts` refuses it (the mutations that
 * happen to leave a valid event are drawn again). Returns the bodies and how many were drawn again.
 */
export function badEventsFor(bases: readonly string[], accepts: Accepts, count: number, random: Random): { bodies: Buffer[]; redrawn: number } {
  const bodies: Buffer[] = [];
  let redrawn = 0;
  while (bodies.length < count) {
    let event: Json = fixture(pick(random, bases));
    const steps = 1 + Math.floor(random() * 3);
    for (let step = 0; step < steps; step += 1) {
      if (typeof event !== 'object' || event === null || Array.isArray(event) || 'raw' in event || 'bytes' in event) break;
      event = pick(random, MUTATIONS)(event, random);
    }
    const body = toBody(event);
    if (accepts(body)) redrawn += 1;
    else bodies.push(body);
  }
  return { bodies, redrawn };
}

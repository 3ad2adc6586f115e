import { fixture, manyIds } from './fixtures';

/** A bad input and the words its error must contain. */
export interface BadEventCase {
  readonly name: string;
  readonly payload: Buffer | string | object;
  readonly code: string;
  readonly message: RegExp;
}

function withData(name: string, change: (data: any) => void): object {
  const event = fixture(name);
  change(event.data);
  return event;
}

/** The bad inputs the foundation issue lists, each with the error it must get. */
export function badEventCases(): BadEventCase[] {
  const changes = fixture('changes-published.json');
  return [
    { name: 'non-JSON bytes', payload: Buffer.from('{"id": "x", oops'), code: 'EventNotJson', message: /event is not valid JSON/ },
    { name: 'invalid UTF-8', payload: Buffer.from([0xff, 0xfe, 0x7b]), code: 'EventNotJson', message: /not valid UTF-8/ },
    { name: 'empty body', payload: Buffer.alloc(0), code: 'EventNotJson', message: /event is empty/ },
    { name: 'an array where one event is expected', payload: [changes], code: 'EventShapeMismatch', message: /expected one CloudEvent object but got a JSON array of 1/ },
    { name: 'a JSON string instead of an object', payload: '"hello"', code: 'EventShapeMismatch', message: /expected one CloudEvent object but got string/ },
    { name: 'unknown event type', payload: { ...changes, type: 'vectorsync.index.exploded' }, code: 'EventInvalid', message: /type: unknown event type.*\(got "vectorsync\.index\.exploded"\)/ },
    { name: 'missing id', payload: (({ id: _id, ...rest }) => rest)(changes), code: 'EventInvalid', message: /^invalid event: id: is missing/ },
    { name: 'wrong-typed specversion', payload: { ...changes, specversion: 1 }, code: 'EventInvalid', message: /specversion: specversion must be "1\.0"/ },
    { name: 'wrong source for the type', payload: { ...changes, source: 'attacker.example' }, code: 'EventInvalid', message: /source: source must be "supabase\.edge"/ },
    { name: 'missing data field', payload: withData('changes-published.json', (d) => delete d.batchId), code: 'EventInvalid', message: /data\.batchId: is missing/ },
    { name: 'wrong-typed data field', payload: withData('chunk-ready.json', (d) => (d.chunkNo = '0')), code: 'EventInvalid', message: /data\.chunkNo: chunk number must be a number/ },
    { name: 'more than 500 ids', payload: withData('sync.json', (d) => (d.ids = manyIds(501))), code: 'EventInvalid', message: /data\.ids: ids holds more than 500 ids/ },
    { name: 'a batch count over the batch limit', payload: withData('changes-published.json', (d) => (d.count = 100_001)), code: 'EventInvalid', message: /data\.count: count must be at most 100000/ },
    { name: 'a batch id that is not a UUID', payload: withData('changes-published.json', (d) => (d.batchId = 'vs-batch-42')), code: 'EventInvalid', message: /data\.batchId: batchId must be a UUID/ },
    { name: 'an id with shell metacharacters', payload: withData('sync.json', (d) => (d.ids[1] = 'abc; rm -rf /')), code: 'EventInvalid', message: /data\.ids\[1\]: id contains the shell metacharacter ";"/ },
    { name: 'an id with command substitution', payload: withData('sync.json', (d) => (d.ids[0] = '$(reboot)')), code: 'EventInvalid', message: /data\.ids\[0\]: id contains the shell metacharacter "\$"/ },
    { name: 'an id over 1,024 bytes', payload: withData('sync.json', (d) => (d.ids[0] = 'é'.repeat(513))), code: 'EventInvalid', message: /data\.ids\[0\]: id is 1026 UTF-8 bytes; OSS Vectors keys are at most 1024/ },
    { name: 'an index name with a hyphen', payload: withData('rebuild.json', (d) => (d.index = 'my-docs')), code: 'EventInvalid', message: /data\.index: index name must start with a letter and contain only letters and digits/ },
    { name: 'an unknown run op', payload: withData('rebuild.json', (d) => (d.op = 'truncate')), code: 'EventInvalid', message: /data\.op: op must be "sync", "rebuild", "verify" or "search" \(got "truncate"\)/ },
    { name: 'an unknown data field', payload: withData('run-accepted.json', (d) => (d.secret = 'x')), code: 'EventInvalid', message: /data: unknown field\(s\) secret/ },
    { name: 'a run id that is not a UUID', payload: withData('run-completed.json', (d) => (d.runId = 'run-1')), code: 'EventInvalid', message: /data\.runId: run id must be a UUID/ },
    { name: 'a non-numeric exit code', payload: withData('task-completed.json', (d) => (d.exitCode = 'zero')), code: 'EventInvalid', message: /data\.exitCode: exitCode must be an integer/ },
  ];
}

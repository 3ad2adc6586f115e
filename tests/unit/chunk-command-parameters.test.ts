import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChunkCommandParameters, chunkCommandParameters, InvalidCommandParameterError } from '../../shared/domain/dispatch';

const script = readFileSync(new URL('../../ecs/run-chunk.sh', import.meta.url), 'utf8');
const good = { runId: '3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f', chunkNo: 3, workerVersion: '1.4.0-abc', bundleSha256: 'f'.repeat(64), bundleUrl: 'https://b.oss-cn-hangzhou.aliyuncs.com/workers/1.4.0/worker.js?x-oss-signature=ab%2Fc&x-oss-expires=600' };

describe('chunkCommandParameters', () => {
  it('checks every value with the same pattern as ecs/run-chunk.sh', () => {
    // Prepare
    const names = /PARAMETER_NAMES=\(([^)]*)\)/u.exec(script)?.[1]?.trim().split(/\s+/u) ?? [];
    const patterns = [.../PARAMETER_PATTERNS=\(\n([\s\S]*?)\n\)/u.exec(script)?.[1]?.matchAll(/'([^']+)'/gu) ?? []].map((match) => match[1]);
    const inScript = Object.fromEntries(names.map((name, i) => [name, patterns[i]]));
    // The block Cloud Assistant fills in lists the placeholders in the same order as the names.
    const block = script.split('\n#@vector-sync-parameters\n')[1]?.trim().split('\n') ?? [];
    expect(block).toEqual(names.map((name) => `{{${name}}}`));
    // Assert
    expect(inScript).toEqual(Object.fromEntries(Object.entries(ChunkCommandParameters).map(([name, pattern]) => [name, pattern.source.replaceAll('\\/', '/')])));
  });

  it('builds the parameter map from ids and the worker version', () => {
    // Act
    const parameters = chunkCommandParameters(good);
    // Assert
    expect(parameters).toEqual({ ...good, chunkNo: '3' });
  });

  it.each([
    ['runId', 'not-a-uuid'],
    ['chunkNo', -1],
    ['workerVersion', '1.0\n2.0'],
    ['bundleSha256', 'F'.repeat(64)],
    ['bundleUrl', "https://x/a'b"],
  ])('refuses %s = %j as a permanent error', (name, value) => {
    // Act
    const act = () => chunkCommandParameters({ ...good, [name]: value });
    // Assert
    expect(act).toThrow(InvalidCommandParameterError);
    expect(act).toThrow(name);
  });
});

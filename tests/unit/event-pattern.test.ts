import { describe, expect, it } from 'vitest';
import { checkPattern, matchPattern, retryDelays } from '../../local/eventbridge';
import type { EventPattern } from '../../shared/routing';

const event = {
  id: 'e-1',
  source: 'acs.oss',
  type: 'oss:ObjectCreated:PutObject',
  subject: 'docs/report.pdf',
  data: { lang: 'en', size: 2048, ip: '192.168.10.20', empty: '', nothing: null, tags: ['a', 'b'], nested: { level: 3 } },
};

describe('matchPattern', () => {
  it.each<[string, EventPattern, boolean]>([
    ['exact match', { source: ['acs.oss'] }, true],
    ['exact mismatch (case-sensitive)', { source: ['ACS.OSS'] }, false],
    ['OR inside an array', { source: ['acs.ecs', 'acs.oss'] }, true],
    ['AND across keys, one fails', { source: ['acs.oss'], type: ['other'] }, false],
    ['AND across keys, all hold', { source: ['acs.oss'], subject: [{ prefix: 'docs/' }] }, true],
    ['prefix', { source: [{ prefix: 'acs.' }] }, true],
    ['prefix mismatch', { source: [{ prefix: 'app.' }] }, false],
    ['suffix', { subject: [{ suffix: '.pdf' }] }, true],
    ['suffix mismatch', { subject: [{ suffix: '.txt' }] }, false],
    ['contains', { type: [{ contains: 'Created' }] }, true],
    ['contains mismatch', { type: [{ contains: 'Removed' }] }, false],
    ['anything-but string', { data: { lang: [{ 'anything-but': 'de' }] } }, true],
    ['anything-but string, equal', { data: { lang: [{ 'anything-but': 'en' }] } }, false],
    ['anything-but number', { data: { size: [{ 'anything-but': 0 }] } }, true],
    ['anything-but number, equal', { data: { size: [{ 'anything-but': 2048 }] } }, false],
    ['anything-but list', { data: { lang: [{ 'anything-but': ['de', 'fr'] }] } }, true],
    ['anything-but list, listed', { data: { lang: [{ 'anything-but': ['de', 'en'] }] } }, false],
    ['anything-but prefix', { subject: [{ 'anything-but': { prefix: 'tmp/' } }] }, true],
    ['anything-but prefix, prefixed', { subject: [{ 'anything-but': { prefix: 'docs/' } }] }, false],
    ['anything-but on an absent key', { data: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { data: { size: [{ numeric: ['>', 0, '<=', 4096] }] } }, true],
    ['numeric range, outside', { data: { size: [{ numeric: ['>', 4096] }] } }, false],
    ['numeric equality', { data: { size: [{ numeric: ['=', 2048] }] } }, true],
    ['numeric on a string', { data: { lang: [{ numeric: ['>', 0] }] } }, false],
    ['cidr', { data: { ip: [{ cidr: '192.168.0.0/16' }] } }, true],
    ['cidr, outside', { data: { ip: [{ cidr: '10.0.0.0/8' }] } }, false],
    ['exists true', { data: { lang: [{ exists: true }] } }, true],
    ['exists true, absent', { data: { missing: [{ exists: true }] } }, false],
    ['exists false, absent', { data: { missing: [{ exists: false }] } }, true],
    ['exists false, present', { data: { lang: [{ exists: false }] } }, false],
    ['null', { data: { nothing: [null] } }, true],
    ['null, not null', { data: { lang: [null] } }, false],
    ['empty string', { data: { empty: [''] } }, true],
    ['empty string, not empty', { data: { lang: [''] } }, false],
    ['nested object', { data: { nested: { level: [3] } } }, true],
    ['nested object, mismatch', { data: { nested: { level: [4] } } }, false],
    ['nested object, missing', { data: { gone: { level: [3] } } }, false],
    ['array value, any element', { data: { tags: ['b'] } }, true],
    ['array value, no element', { data: { tags: ['c'] } }, false],
    ['empty pattern', {}, true],
  ])('%s -> %s', (_name, pattern, expected) => {
    expect(matchPattern(pattern, event)).toBe(expected);
  });
});

describe('checkPattern', () => {
  it('accepts every operator', () => {
    expect(checkPattern({ a: [{ prefix: 'x' }, { numeric: ['>', 1] }, { cidr: '10.0.0.0/8' }, { exists: true }, null] })).toEqual([]);
  });

  it.each([
    [{ a: 'x' }, /a pattern is a JSON object/],
    [{ a: [{ regex: 'x' }] }, /unknown condition/],
    [{ a: [{ numeric: ['~', 1] }] }, /numeric takes/],
    [{ a: [1, 2, 3, 4, 5, 6] }, /more than 5 expressions/],
    [{ a: [{ cidr: 'nope' }] }, /cidr must look like/],
  ])('names the problem in %j', (pattern, message) => {
    expect(checkPattern(pattern).join('\n')).toMatch(message);
  });
});

describe('retryDelays', () => {
  it('gives BACKOFF_RETRY three retries of 10-20 s', () => {
    const delays = retryDelays('BACKOFF_RETRY', () => 0.5);
    expect(delays).toEqual([15, 15, 15]);
  });

  it('gives EXPONENTIAL_DECAY_RETRY 176 retries doubling to 512 s within about a day', () => {
    const delays = retryDelays('EXPONENTIAL_DECAY_RETRY');
    expect(delays).toHaveLength(176);
    expect(delays.slice(0, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512]);
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(86_400);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OSS from 'ali-oss';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OssObjectStore } from '../../shared/clients/oss';

// The store signs OSS V4 itself instead of loading ali-oss (about 900 KB of a handler bundle);
// ali-oss stays a devDependency for this test, which checks both sign the same calls alike at the
// same instant: the emulator checks signatures with its own code, this checks them against the SDK.

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly date: string | undefined;
  readonly signed: Readonly<Record<string, string | undefined>>;
}

const KEYS = { accessKeyId: 'LTAI-wire', accessKeySecret: 'wire-secret', stsToken: 'token+with/odd=chars' } as const;
const BUCKET = 'vector-sync-artifacts';
const REGION = 'cn-shanghai';
const KEY = 'reports/2024 run/résumé (1).html';
// ali-oss also sends (and signs) a Content-Type guessed from the key's extension on HEAD and GET;
// the store sends none on a call without a body, so those two are compared on a key without one.
const BARE_KEY = 'reports/2024 run/résumé (1)';
let close: (() => Promise<void>) | undefined;

async function recordingServer(): Promise<{ endpoint: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const pick = (name: string): string | undefined => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
    const signedNames = Object.keys(req.headers).filter((name) => name.startsWith('x-oss-') || name === 'content-type' || name === 'content-md5');
    requests.push({
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://wire').pathname,
      authorization: pick('authorization'),
      date: pick('x-oss-date'),
      signed: Object.fromEntries(signedNames.sort().map((name) => [name, pick(name)])),
    });
    req.resume();
    res.setHeader('etag', '"00000000000000000000000000000000"');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { endpoint: `http://localhost:${(server.address() as AddressInfo).port}`, requests };
}

function clients(endpoint: string): { ours: OssObjectStore; sdk: OSS } {
  const ours = new OssObjectStore({ region: REGION, bucket: BUCKET, endpoint, accessKeyId: KEYS.accessKeyId, accessKeySecret: KEYS.accessKeySecret, securityToken: KEYS.stsToken });
  const sdk = new OSS({
    region: `oss-${REGION}`,
    bucket: BUCKET,
    endpoint,
    accessKeyId: KEYS.accessKeyId,
    accessKeySecret: KEYS.accessKeySecret,
    stsToken: KEYS.stsToken,
    refreshSTSTokenInterval: 3_600_000,
    authorizationV4: true,
    secure: false,
    sldEnable: true,
  } as OSS.Options);
  return { ours, sdk };
}

beforeEach(() => {
  // Both sides read the clock for x-oss-date: a fixed instant makes their signatures comparable.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-03-04T05:06:07.000Z'));
});

afterEach(async () => {
  vi.useRealTimers();
  await close?.();
  close = undefined;
});

describe('the OSS store on the wire', () => {
  it('signs PutObject, HeadObject and GetObject exactly as ali-oss does with V4', async () => {
    // Prepare
    const { endpoint, requests } = await recordingServer();
    const { ours, sdk } = clients(endpoint);
    const body = Buffer.from('<h1>report</h1>');
    const headers = { 'Content-Type': 'text/html; charset=utf-8', 'x-oss-meta-runid': 'r-1' };

    // Act
    await ours.put(KEY, body, { contentType: headers['Content-Type'], meta: { runid: 'r-1' } });
    await sdk.put(KEY, body, { headers });
    await ours.head(BARE_KEY);
    await sdk.head(BARE_KEY);
    await ours.get(BARE_KEY);
    await sdk.get(BARE_KEY);

    // Assess
    expect(requests).toHaveLength(6);
    const [putOurs, putSdk, headOurs, headSdk, getOurs, getSdk] = requests;
    expect(putOurs).toEqual(putSdk);
    expect(headOurs).toEqual(headSdk);
    expect(getOurs).toEqual(getSdk);
    expect(putOurs?.authorization).toMatch(/^OSS4-HMAC-SHA256 Credential=LTAI-wire\/20250304\/cn-shanghai\/oss\/aliyun_v4_request,Signature=[0-9a-f]{64}$/u);
    expect(putOurs?.signed).toMatchObject({ 'content-md5': expect.any(String), 'x-oss-security-token': KEYS.stsToken });
  });

  it('presigns a GET URL with the same parameters and signature as ali-oss signatureUrlV4', async () => {
    // Prepare
    const { endpoint } = await recordingServer();
    const { ours, sdk } = clients(endpoint);

    // Act
    const mine = new URL(await ours.presignGet(KEY, 900));
    const theirs = new URL(await sdk.signatureUrlV4('GET', 900, undefined, KEY));

    // Assess
    const sorted = (url: URL): [string, string][] => [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(decodeURIComponent(mine.pathname)).toBe(decodeURIComponent(theirs.pathname));
    expect(sorted(mine)).toEqual(sorted(theirs));
    expect(mine.searchParams.get('x-oss-signature')).toMatch(/^[0-9a-f]{64}$/u);
  });
});

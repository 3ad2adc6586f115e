import { canonicalQuery } from './canonicalQuery';
import { canonicalRequest } from './canonicalRequest';
import { canonicalUri } from './canonicalUri';
import { computeSignature, signingScope } from './computeSignature';
import { UNSIGNED_PAYLOAD, V4_ALGORITHM } from './constants';
import { formatOssDate } from './formatOssDate';

/** Keys a request is signed with; `securityToken` for STS credentials. */
export interface OssCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** One request to sign. */
export interface SignInput {
  readonly method: string;
  readonly region: string;
  readonly accountId: string;
  /** Absent for the service-level call (ListVectorBuckets). */
  readonly bucket?: string;
  /** The query exactly as it will be sent, with or without the leading `?`. */
  readonly rawQuery: string;
  /** Headers to send, lower-case names; content-type and content-md5 are signed when present. */
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: OssCredentials;
  readonly date: Date;
  readonly additionalHeaders?: readonly string[];
}

/**
 * Signs a vectors request with OSS V4: adds `x-oss-date`, `x-oss-content-sha256` and the STS token
 * (all signed), and returns the headers to send with `Authorization` set.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const ossDate = formatOssDate(input.date);
  const headers: Record<string, string> = { ...input.headers, 'x-oss-date': ossDate, 'x-oss-content-sha256': UNSIGNED_PAYLOAD };
  if (input.credentials.securityToken) headers['x-oss-security-token'] = input.credentials.securityToken;
  const additional = input.additionalHeaders ?? [];
  const canonical = canonicalRequest({
    method: input.method,
    uri: canonicalUri(input.region, input.accountId, input.bucket),
    query: canonicalQuery(input.rawQuery),
    headers,
    additionalHeaders: additional,
  });
  const signature = computeSignature(input.credentials.accessKeySecret, ossDate, input.region, canonical);
  const credential = `Credential=${input.credentials.accessKeyId}/${signingScope(ossDate, input.region)}`;
  // An empty AdditionalHeaders= is refused by OSS (EC 0002-00000209), so it is left out when unused.
  const extra = additional.length > 0 ? `,AdditionalHeaders=${[...additional].map((name) => name.toLowerCase()).sort().join(';')}` : '';
  headers.authorization = `${V4_ALGORITHM} ${credential}${extra},Signature=${signature}`;
  return headers;
}

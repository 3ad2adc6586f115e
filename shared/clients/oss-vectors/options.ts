import * as z from 'zod';
import { OssVectorsClientDefaults, OssVectorsLimitDefaults } from './constants';

const positiveInt = z.number().int().positive();

/** Limits the client enforces; each defaults to `OssVectorsLimitDefaults`. */
const OssVectorsLimitsSchema = z.object({
  maxVectorsPerPut: positiveInt.default(OssVectorsLimitDefaults.maxVectorsPerPut),
  maxKeyBytes: positiveInt.default(OssVectorsLimitDefaults.maxKeyBytes),
  maxMetadataBytes: positiveInt.default(OssVectorsLimitDefaults.maxMetadataBytes),
  maxMetadataKeys: positiveInt.default(OssVectorsLimitDefaults.maxMetadataKeys),
  maxFilterableMetadataBytes: positiveInt.default(OssVectorsLimitDefaults.maxFilterableMetadataBytes),
  maxTopK: positiveInt.max(100).default(OssVectorsLimitDefaults.maxTopK),
  maxGetKeys: positiveInt.default(OssVectorsLimitDefaults.maxGetKeys),
  maxDeleteKeys: positiveInt.default(OssVectorsLimitDefaults.maxDeleteKeys),
  maxSegments: positiveInt.max(16).default(OssVectorsLimitDefaults.maxSegments),
  maxFilterBytes: positiveInt.default(OssVectorsLimitDefaults.maxFilterBytes),
});

/** Settings of an OSS Vectors client, checked once when it is built. */
export const OssVectorsClientOptionsSchema = z.object({
  /** Bare region id, e.g. `cn-hangzhou` (no `oss-` prefix). */
  region: z.string().regex(/^[a-z]{2,}-[a-z0-9-]+$/u, 'region must be a bare region id such as cn-hangzhou'),
  /** Numeric UID of the main account; part of every bucket host. */
  accountId: z.string().regex(/^\d{1,32}$/u, 'accountId must be the numeric account UID'),
  credentials: z.object({
    accessKeyId: z.string().min(1),
    accessKeySecret: z.string().min(1),
    securityToken: z.string().min(1).optional(),
  }),
  /** Use the `-internal` hosts (same-region VPC). */
  internal: z.boolean().default(false),
  /** Send every request here instead (e.g. `http://127.0.0.1:PORT`); Host stays the OSS name. */
  endpoint: z.url({ protocol: /^https?$/u }).optional(),
  /** Use `http:` towards the OSS hosts (HTTPS by default). */
  secure: z.boolean().default(true),
  limits: OssVectorsLimitsSchema.default(OssVectorsLimitsSchema.parse({})),
  /** Write calls (PutVectors + DeleteVectors) per second and index: the index's write quota. */
  indexWriteQps: z.number().positive().default(OssVectorsClientDefaults.indexWriteQps),
  /** Vectors written plus keys deleted per second and index: the index's write quota. */
  indexWriteVectorsPerSecond: z.number().positive().default(OssVectorsClientDefaults.indexWriteVectorsPerSecond),
  /** Headroom of the write pacing against arrival jitter: a second's quota is spread over 1,000 + this many ms. */
  writePaceMarginMs: z.number().nonnegative().default(OssVectorsClientDefaults.writePaceMarginMs),
  putVectorIndexQps: z.number().positive().default(OssVectorsClientDefaults.putVectorIndexQps),
  maxAttempts: positiveInt.max(20).default(OssVectorsClientDefaults.maxAttempts),
  baseDelayMs: z.number().nonnegative().default(OssVectorsClientDefaults.baseDelayMs),
  maxDelayMs: z.number().nonnegative().default(OssVectorsClientDefaults.maxDelayMs),
  maxRetryAfterMs: z.number().nonnegative().default(OssVectorsClientDefaults.maxRetryAfterMs),
  requestTimeoutMs: positiveInt.default(OssVectorsClientDefaults.requestTimeoutMs),
});

/** Settings as given (defaults not yet applied). */
export type OssVectorsClientOptions = z.input<typeof OssVectorsClientOptionsSchema>;
/** Settings with every default applied. */
export type OssVectorsClientConfig = z.output<typeof OssVectorsClientOptionsSchema>;
/** The enforced limits. */
export type OssVectorsLimits = z.output<typeof OssVectorsLimitsSchema>;

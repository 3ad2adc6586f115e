/** The signature algorithm name of OSS V4. */
export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** The `x-oss-content-sha256` value: vector calls never hash the body. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** The product segment of the V4 scope: `oss`, not `ossvector`, even for vector buckets. */
export const SIGNING_PRODUCT = 'oss';

/** The last segment of the V4 scope. */
export const SCOPE_TERMINATOR = 'aliyun_v4_request';

// The worker's settings that are checked together rather than one by one: its one credential mode,
// recall's k against the account's topK limit, and the embed-query key that goes with its URL.
// Messages name variables, never values (the settings file holds keys). Imports nothing, so
// shared/config.ts stays loadable by Deno too.

/** Reports one problem with a variable. */
export type AddIssue = (variable: string, message: string) => void;

function filled(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * The worker signs with exactly one kind of credential: the instance RAM role
 * (ALIBABA_CLOUD_ECS_METADATA, STS keys from the ECS metadata service) or static keys
 * (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, optionally with
 * ALIBABA_CLOUD_SECURITY_TOKEN). Messages name variables, never values.
 */
function checkCredentialMode(env: Readonly<Record<string, unknown>>, addIssue: AddIssue): void {
  const role = filled(env.ALIBABA_CLOUD_ECS_METADATA);
  const keyId = filled(env.ALIBABA_CLOUD_ACCESS_KEY_ID);
  const secret = filled(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  const token = filled(env.ALIBABA_CLOUD_SECURITY_TOKEN);
  if (role) {
    const extra = [
      ...(keyId ? ['ALIBABA_CLOUD_ACCESS_KEY_ID'] : []),
      ...(secret ? ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] : []),
      ...(token ? ['ALIBABA_CLOUD_SECURITY_TOKEN'] : []),
    ];
    if (extra.length > 0) {
      addIssue('ALIBABA_CLOUD_ECS_METADATA', `is set together with ${extra.join(', ')}: set ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) or static keys, not both`);
    }
    return;
  }
  if (keyId && secret) return;
  if (keyId) addIssue('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'is not set (ALIBABA_CLOUD_ACCESS_KEY_ID is): set both keys, or ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) instead');
  else if (secret) addIssue('ALIBABA_CLOUD_ACCESS_KEY_ID', 'is not set (ALIBABA_CLOUD_ACCESS_KEY_SECRET is): set both keys, or ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) instead');
  else addIssue('ALIBABA_CLOUD_ECS_METADATA', 'no credentials: set ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
}

/** RECALL_K may not exceed QUERY_TOPK_MAX: OSS Vectors would refuse the verify's queries. */
function checkRecallK(env: Readonly<Record<string, unknown>>, addIssue: AddIssue): void {
  const recallK = Number(env.RECALL_K ?? 10);
  const topKMax = Number(env.QUERY_TOPK_MAX ?? 30);
  if (Number.isInteger(recallK) && Number.isInteger(topKMax) && recallK > topKMax) addIssue('RECALL_K', "must not exceed QUERY_TOPK_MAX (the account's OSS Vectors topK limit)");
}

/** EMBED_QUERY_URL needs its key. */
function checkEmbedQueryKey(env: Readonly<Record<string, unknown>>, addIssue: AddIssue): void {
  const url = env.EMBED_QUERY_URL;
  const key = typeof env.EMBED_QUERY_KEY === 'string' ? env.EMBED_QUERY_KEY : '';
  if (typeof url === 'string' && url !== '' && key.length < 16) addIssue('EMBED_QUERY_KEY', 'must be set (at least 16 characters) when EMBED_QUERY_URL is');
}

/** Every rule of the worker's settings that reads several variables together. */
export function checkWorkerSettings(env: Readonly<Record<string, unknown>>, addIssue: AddIssue): void {
  checkCredentialMode(env, addIssue);
  checkRecallK(env, addIssue);
  checkEmbedQueryKey(env, addIssue);
}

import * as z from 'zod';
import { Limits } from './constants.ts';

const utf8 = new TextEncoder();

/** Characters a shell gives a meaning to; ids travel into RunCommand parameters and SQL logs. */
const SHELL_METACHARACTERS = /[;&|$`<>(){}[\]\\'"*?!#~%^\s]/u;

/** A document id: the primary key in Postgres and the vector key in OSS Vectors. */
export const DocumentIdSchema = z.string().superRefine(function checkDocumentId(value, ctx) {
  const bytes = utf8.encode(value).length;
  if (bytes === 0) {
    ctx.addIssue({ code: 'custom', message: 'id is empty; ids are 1 to 1,024 UTF-8 bytes' });
    return;
  }
  if (bytes > Limits.maxKeyBytes) {
    ctx.addIssue({
      code: 'custom',
      message: `id is ${bytes} UTF-8 bytes; OSS Vectors keys are at most ${Limits.maxKeyBytes}`,
    });
    return;
  }
  const meta = SHELL_METACHARACTERS.exec(value);
  if (meta) {
    ctx.addIssue({ code: 'custom', message: `id contains the shell metacharacter ${JSON.stringify(meta[0])}` });
    return;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$/u.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'id must start with a letter or digit and contain only letters, digits and . _ : @ / + = -',
    });
  }
});

/** A CloudEvent id as EventBridge accepts it. */
export const EventIdSchema = z
  .string()
  .min(1, 'event id is empty')
  .max(Limits.maxEventIdLength, `event id is longer than ${Limits.maxEventIdLength} characters`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/u, 'event id must start with a letter or digit and contain only letters, digits and -');

/** OSS Vectors index name: 1-63 letters and digits, starting with a letter. */
export const IndexNameSchema = z
  .string()
  .min(1, 'index name is empty')
  .max(63, 'index name is longer than 63 characters')
  .regex(/^[A-Za-z][A-Za-z0-9]*$/u, 'index name must start with a letter and contain only letters and digits (no - . _)');

/** OSS Vectors bucket name: 3-32 of [a-z0-9-], no hyphen at either end. */
export const BucketNameSchema = z
  .string()
  .min(3, 'bucket name is shorter than 3 characters')
  .max(32, 'bucket name is longer than 32 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/u, 'bucket name must be lower-case letters, digits and -, not starting or ending with -');

/** The lower-case 8-4-4-4-12 hex form Postgres prints for a uuid (run ids, document ids). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

/** True for a uuid as Postgres prints it: the only key shape `document_embeddings` can hold. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** A run id (a UUID minted by the ledger). */
export const RunIdSchema = z.uuid({ message: 'run id must be a UUID' });

/** A chunk number within a run, from 0. */
export const ChunkNoSchema = z
  .number({ message: 'chunk number must be a number' })
  .int('chunk number must be an integer')
  .min(0, 'chunk number must be 0 or more')
  .max(Limits.maxChunkNo, `chunk number must be at most ${Limits.maxChunkNo}`);

/** ECS ids as Alibaba Cloud formats them. */
export const InstanceIdSchema = z.string().regex(/^i-[a-z0-9]{4,64}$/u, 'instance id must look like i-xxxxxxxx');
export const CommandIdSchema = z.string().regex(/^c-[A-Za-z0-9]{4,64}$/u, 'command id must look like c-xxxxxxxx');
export const InvokeIdSchema = z.string().regex(/^t-[A-Za-z0-9]{4,64}$/u, 'invoke id must look like t-xxxxxxxx');

import * as z from 'zod';

const TagSchema = z.object({ name: z.string(), value: z.string() });

/** What Resend stores of a message, in its own snake_case field names (the body of `GET /emails/:id`). */
export const StoredEmailSchema = z.object({
  object: z.literal('email'),
  id: z.uuid(),
  created_at: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()).nullable(),
  bcc: z.array(z.string()).nullable(),
  reply_to: z.array(z.string()).nullable(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
  tags: z.array(TagSchema),
  headers: z.record(z.string(), z.string()).nullable(),
  scheduled_at: z.string().nullable(),
  last_event: z.enum(['delivered', 'scheduled']),
});
export type StoredEmail = z.infer<typeof StoredEmailSchema>;

/** How a message reached the emulator; never holds the API key. */
export const DeliveryMetadataSchema = z.object({
  endpoint: z.enum(['/emails', '/emails/batch']),
  /** Position in the batch, for `/emails/batch`. */
  batch_index: z.number().int().nonnegative().nullable(),
  idempotency_key: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The key's permission, to tell keys apart without storing them. */
  api_key_permission: z.string(),
  attachments: z.array(z.object({ filename: z.string().nullable(), content_type: z.string().nullable(), bytes: z.number().int().nullable() })),
});
export type DeliveryMetadata = z.infer<typeof DeliveryMetadataSchema>;

/** One `<id>.json` file of the outbox. */
export const OutboxMessageSchema = z.object({ email: StoredEmailSchema, metadata: DeliveryMetadataSchema });
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

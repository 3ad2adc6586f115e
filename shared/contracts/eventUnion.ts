import * as z from 'zod';

type EnvelopeSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

/** A union of envelope schemas told apart by `type`; an unknown type names the accepted ones. */
export function eventUnion<const TSchemas extends readonly [EnvelopeSchema, ...EnvelopeSchema[]]>(...schemas: TSchemas) {
  const types = schemas.map((schema) => JSON.stringify(schema.shape.type.value)).join(', ');
  return z.discriminatedUnion('type', schemas, { message: `unknown event type; this function accepts ${types}` });
}

// What FC hands a handler: CloudEvents as EventBridge delivers them (the core attributes plus the
// `aliyun*` extensions), unions of them told apart by `type`, and the timer trigger's own event.
import * as z from 'zod';
import { EventIdSchema } from './identifiers.ts';

/**
 * The attributes of a CloudEvent as Alibaba EventBridge delivers it to FC 3.0 (rule target with
 * `Body: ORIGINAL`, or an event-driven trigger): the CloudEvents 1.0 core attributes plus the
 * `aliyun*` extension attributes the bus adds on delivery. `data` is typed by each event family.
 */
export const CloudEventAttributesSchema = z.object({
  id: EventIdSchema,
  source: z.string().min(1, 'source is empty').max(128, 'source is longer than 128 characters'),
  specversion: z.literal('1.0', { message: 'specversion must be "1.0"' }),
  type: z.string().min(1, 'type is empty').max(64, 'type is longer than 64 characters'),
  subject: z.string().max(512, 'subject is longer than 512 characters').optional(),
  time: z.string().min(1, 'time is empty'),
  datacontenttype: z.string().optional(),
  dataschema: z.string().optional(),
  aliyunaccountid: z.string().min(1, 'aliyunaccountid is empty'),
  aliyunpublishtime: z.string().min(1, 'aliyunpublishtime is empty'),
  aliyuneventbusname: z.string().min(1, 'aliyuneventbusname is empty'),
  aliyunregionid: z.string().min(1, 'aliyunregionid is empty'),
  aliyunpublishaddr: z.string().optional(),
});

/** A delivered CloudEvent whose `data` is any JSON value. */
export const CloudEventSchema = CloudEventAttributesSchema.extend({ data: z.unknown() });
export type CloudEvent = z.infer<typeof CloudEventSchema>;

/** The envelope attributes handed on to a handler next to `data`. */
export type CloudEventMeta = Omit<CloudEvent, 'data'>;

/** Builds the delivered-envelope schema for one event type and source with its `data` schema. */
export function cloudEventOf<
  const TType extends string,
  const TSource extends string,
  TData extends z.ZodType,
>(type: TType, source: TSource | readonly TSource[], data: TData) {
  const sources = (Array.isArray(source) ? source : [source]) as readonly TSource[];
  return CloudEventAttributesSchema.extend({
    type: z.literal(type),
    source: z.enum(sources as [TSource, ...TSource[]], {
      message: `source must be ${sources.map((s) => JSON.stringify(s)).join(' or ')} for ${type}`,
    }),
    data,
  });
}

type EnvelopeSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

/** A union of envelope schemas told apart by `type`; an unknown type names the accepted ones. */
export function eventUnion<const TSchemas extends readonly [EnvelopeSchema, ...EnvelopeSchema[]]>(...schemas: TSchemas) {
  const types = schemas.map((schema) => JSON.stringify(schema.shape.type.value)).join(', ');
  return z.discriminatedUnion('type', schemas, { message: `unknown event type; this function accepts ${types}` });
}

/** What an FC timer trigger delivers: `payload` is the configured string. */
export const TimerEventSchema = z.object({
  triggerTime: z.string().min(1, 'triggerTime is empty'),
  triggerName: z.string().min(1, 'triggerName is empty'),
  payload: z.string().optional(),
});
export type TimerEvent = z.infer<typeof TimerEventSchema>;

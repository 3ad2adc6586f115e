import { TargetEntry } from '@alicloud/eventbridge';

/**
 * The SDK's TargetEntry (1.3.2) has no DeadLetterQueue or ErrorsTolerance, and its serialiser
 * writes only the fields its model names; this subclass names the two so they reach the API.
 */
export class FcTargetEntry extends TargetEntry {
  // `declare`: a class field would be reset to undefined after the model's constructor filled it.
  declare deadLetterQueue?: { Arn: string };
  declare errorsTolerance?: string;

  static override names(): Record<string, string> {
    return { ...TargetEntry.names(), deadLetterQueue: 'DeadLetterQueue', errorsTolerance: 'ErrorsTolerance' };
  }

  static override types(): Record<string, unknown> {
    return {
      ...TargetEntry.types(),
      deadLetterQueue: { type: 'map', keyType: 'string', valueType: 'string' },
      errorsTolerance: 'string',
    };
  }
}

/**
 * An event the pipeline publishes, in the shape EventBridge's publisher takes (`PublishableEvent`).
 * Ids are deterministic so a redelivery or a resend is recognisably the same event; EventBridge
 * takes only letters, digits and `-` in an id, so the parts are joined with `-`.
 */
export interface OutgoingEvent<TType extends string = string, TData = unknown> {
  readonly id: string;
  readonly type: TType;
  readonly source: string;
  readonly subject: string;
  readonly data: TData;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

/** True for a lower-case canonical uuid: the only key shape `document_embeddings` can hold. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// How a vector's key names its document and passage: the first passage (0) is keyed by the document
// id alone, as every vector was before documents had passages, and passage n > 0 by `<doc>#<n>`.
// Document ids never hold `#` (they are uuids in the sidecar), so the last `#` splits a key.

/** The key of passage `passageNo` of a document. */
export function vectorKey(documentId: string, passageNo: number): string {
  return passageNo === 0 ? documentId : `${documentId}#${passageNo}`;
}

/** The document and passage a key names; a key without a passage suffix is passage 0. */
export function parseVectorKey(key: string): { documentId: string; passageNo: number } {
  const at = key.lastIndexOf('#');
  const suffix = at < 0 ? '' : key.slice(at + 1);
  if (!/^[1-9][0-9]{0,5}$/u.test(suffix)) return { documentId: key, passageNo: 0 };
  return { documentId: key.slice(0, at), passageNo: Number(suffix) };
}

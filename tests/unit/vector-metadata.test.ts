// Document metadata on its way to the index: special key names stay data, never dropped.
import { describe, expect, it } from 'vitest';
import { EmbeddingRowSchema } from '../../ecs/embeddingRows';
import { canonicalMetadata, toVectorInput, vectorHash } from '../../ecs/vectors';

/** A generation created before snippets (no non-filterable keys), and one that takes them. */
const NO_SNIPPETS = { non_filterable_keys: [] };
const SNIPPETS = { non_filterable_keys: ['snippet'] };

/** A sidecar row as postgres.js hands it over (the metadata parsed from jsonb text). */
function row(metadataJson: string): unknown {
  return { document_id: 'doc-1', content_hash: 'a'.repeat(64), embedding: '[0.5,0.25]', metadata: JSON.parse(metadataJson) as unknown };
}

describe('document metadata to vector metadata', () => {
  it('keeps keys named __proto__, constructor and toString as ordinary keys', () => {
    // Prepare
    const parsed = EmbeddingRowSchema.parse(row('{"__proto__": {"polluted": "yes"}, "constructor": "c", "toString": 1, "title": "t"}'));
    // Act
    const vector = toVectorInput(parsed, NO_SNIPPETS, 200);
    const sent = JSON.parse(JSON.stringify(vector.metadata)) as Record<string, unknown>;
    // Assert
    expect(Object.keys(sent).sort()).toEqual(['__proto__', 'constructor', 'content_hash', 'title', 'toString']);
    expect(JSON.stringify(vector.metadata)).toContain('"__proto__":"{\\"polluted\\":\\"yes\\"}"');
    expect(sent.constructor).toBe('c');
    expect(sent.toString).toBe('1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a __proto__ key holding a plain string', () => {
    // Act
    const vector = toVectorInput(EmbeddingRowSchema.parse(row('{"__proto__": "x"}')), NO_SNIPPETS, 200);
    // Assert
    expect(Object.keys(JSON.parse(JSON.stringify(vector.metadata)) as object)).toContain('__proto__');
  });

  it('refuses metadata that is not an object, and reads null as none', () => {
    expect(EmbeddingRowSchema.safeParse(row('["a"]')).success).toBe(false);
    expect(EmbeddingRowSchema.safeParse(row('"text"')).success).toBe(false);
    expect(toVectorInput(EmbeddingRowSchema.parse(row('null')), NO_SNIPPETS, 200).metadata).toEqual(Object.assign(Object.create(null) as object, { content_hash: 'a'.repeat(64) }));
  });
});

describe('the snippet and the vector hash', () => {
  const withContent = (metadataJson: string, content: string) => EmbeddingRowSchema.parse({ ...(row(metadataJson) as object), content_head: content });

  it('carries a snippet of the content only into a generation that takes them, and leaves a document key named snippet out', () => {
    // Act
    const taken = toVectorInput(withContent('{"snippet": "mine", "lang": "en"}', '  Harbour\n cranes   lift. '), SNIPPETS, 200);
    const old = toVectorInput(withContent('{"lang": "en"}', 'Harbour cranes'), NO_SNIPPETS, 200);
    // Assert
    expect(taken.metadata).toEqual(Object.assign(Object.create(null) as object, { lang: 'en', content_hash: 'a'.repeat(64), snippet: 'Harbour cranes lift.' }));
    expect(old.metadata).not.toHaveProperty('snippet');
    expect(toVectorInput(withContent('{}', 'text'), SNIPPETS, 0).metadata).not.toHaveProperty('snippet');
  });

  it('changes with the metadata, the snippet or the model, and not with the order of keys', () => {
    const base = toVectorInput(withContent('{"a": "1", "b": "2"}', 'text'), SNIPPETS, 200);
    const reordered = toVectorInput(withContent('{"b": "2", "a": "1"}', 'text'), SNIPPETS, 200);
    expect(vectorHash(reordered, 'm')).toBe(vectorHash(base, 'm'));
    expect(canonicalMetadata(reordered.metadata)).toBe(canonicalMetadata(base.metadata));
    expect(vectorHash(toVectorInput(withContent('{"a": "1", "b": "3"}', 'text'), SNIPPETS, 200), 'm')).not.toBe(vectorHash(base, 'm'));
    expect(vectorHash(toVectorInput(withContent('{"a": "1", "b": "2"}', 'other text'), SNIPPETS, 200), 'm')).not.toBe(vectorHash(base, 'm'));
    expect(vectorHash(base, 'gte-small')).not.toBe(vectorHash(base, 'm'));
    expect(vectorHash(base, 'm')).toMatch(/^[0-9a-f]{64}$/u);
  });
});

// Document metadata on its way to the index: special key names stay data, never dropped.
import { describe, expect, it } from 'vitest';
import { EmbeddingRowSchema } from '../../ecs/embeddingRows';
import { toVectorInput } from '../../ecs/vectors';

/** A sidecar row as postgres.js hands it over (the metadata parsed from jsonb text). */
function row(metadataJson: string): unknown {
  return { document_id: 'doc-1', content_hash: 'a'.repeat(64), embedding: '[0.5,0.25]', metadata: JSON.parse(metadataJson) as unknown };
}

describe('document metadata to vector metadata', () => {
  it('keeps keys named __proto__, constructor and toString as ordinary keys', () => {
    // Prepare
    const parsed = EmbeddingRowSchema.parse(row('{"__proto__": {"polluted": "yes"}, "constructor": "c", "toString": 1, "title": "t"}'));
    // Act
    const vector = toVectorInput(parsed);
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
    const vector = toVectorInput(EmbeddingRowSchema.parse(row('{"__proto__": "x"}')));
    // Assert
    expect(Object.keys(JSON.parse(JSON.stringify(vector.metadata)) as object)).toContain('__proto__');
  });

  it('refuses metadata that is not an object, and reads null as none', () => {
    expect(EmbeddingRowSchema.safeParse(row('["a"]')).success).toBe(false);
    expect(EmbeddingRowSchema.safeParse(row('"text"')).success).toBe(false);
    expect(toVectorInput(EmbeddingRowSchema.parse(row('null'))).metadata).toEqual(Object.assign(Object.create(null) as object, { content_hash: 'a'.repeat(64) }));
  });
});

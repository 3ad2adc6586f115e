import { describe, expect, it } from 'vitest';
import { CorpusOptionsError, CorpusWords, sampleDocuments } from '../../local/corpus';

describe('sampleDocuments', () => {
  it('yields exactly the requested number of documents', () => {
    expect([...sampleDocuments(0)]).toHaveLength(0);
    expect([...sampleDocuments(250)]).toHaveLength(250);
  });

  it('yields the same documents for the same seed and different ones for another seed', () => {
    // Prepare / Act
    const first = [...sampleDocuments(100, 7)];
    const again = [...sampleDocuments(100, 7)];
    const other = [...sampleDocuments(100, 8)];
    // Assess
    expect(again).toEqual(first);
    expect(other.map((d) => d.content)).not.toEqual(first.map((d) => d.content));
  });

  it('uses seed 1 when none is given', () => {
    expect([...sampleDocuments(20)]).toEqual([...sampleDocuments(20, 1)]);
  });

  it('produces varied short English documents of one to three sentences', () => {
    // Act
    const documents = [...sampleDocuments(3000)];
    const contents = documents.map((d) => d.content);
    const sentenceCounts = new Set(contents.map((c) => c.split(/(?<=\.) /u).length));
    // Assess
    expect(new Set(contents).size).toBeGreaterThan(2900);
    expect([...sentenceCounts].sort()).toEqual([1, 2, 3]);
    for (const content of contents) {
      expect(content).toMatch(/^[A-Z][\w ,'-]*\.( [A-Z][\w ,'-]*\.){0,2}$/u);
      expect(content.length).toBeLessThan(400);
    }
    expect(new Set(documents.map((d) => d.metadata.topic)).size).toBe(CorpusWords.topics.length);
  });

  it('attaches small metadata: topic and source from the word lists and a running number', () => {
    // Act
    const documents = [...sampleDocuments(50, 3)];
    // Assess
    documents.forEach((document, i) => {
      expect(Object.keys(document.metadata).sort()).toEqual(['n', 'source', 'topic']);
      expect(CorpusWords.topics).toContain(document.metadata.topic);
      expect(CorpusWords.sources).toContain(document.metadata.source);
      expect(document.metadata.n).toBe(i + 1);
    });
  });

  it.each([
    [-1, 1, 'count'],
    [1.5, 1, 'count'],
    [Number.NaN, 1, 'count'],
    [10, -3, 'seed'],
    [10, 2 ** 32, 'seed'],
  ])('refuses count %s with seed %s as a bad %s', (count, seed, option) => {
    expect(() => [...sampleDocuments(count, seed)]).toThrow(CorpusOptionsError);
    expect(() => [...sampleDocuments(count, seed)]).toThrow(new RegExp(`${option} must be`, 'u'));
  });
});

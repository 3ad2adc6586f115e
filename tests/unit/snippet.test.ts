import { describe, expect, it } from 'vitest';
import { snippetOf, snippetSourceChars } from '../../ecs/snippet';
import { WorkerConfigSchema } from '../../shared/config';

/** What `left(content, n)` hands over: the first n code points (Postgres counts characters, not UTF-16 units). */
function left(content: string, n: number): string {
  return Array.from(content).slice(0, n).join('');
}

describe('snippetOf', () => {
  it('collapses whitespace and keeps short content whole', () => {
    expect(snippetOf('  Harbour\n\n cranes\tlift  ', 200)).toBe('Harbour cranes lift');
  });

  it('cuts long content to at most the given length, with an ellipsis', () => {
    const snippet = snippetOf('word '.repeat(100), 20);
    expect(snippet.length).toBeLessThanOrEqual(20);
    expect(snippet.endsWith('…')).toBe(true);
  });

  it('never cuts a surrogate pair and gives nothing at 0', () => {
    const snippet = snippetOf('🚢'.repeat(30), 10);
    expect(snippet).toBe(`${'🚢'.repeat(4)}…`);
    expect(snippetOf('text', 0)).toBe('');
    expect(snippetSourceChars(0)).toBe(0);
  });

  it.each([
    ['indented code', `def f():\n${'        x = 1\n'.repeat(40)}`],
    ['a long run of blanks', `Title${' '.repeat(400)}and the body`],
    ['astral characters and blanks', `${'🚢      '.repeat(60)}end`],
  ])('marks as cut a document whose read start collapses to less than the snippet (%s)', (_name, content) => {
    // Act
    const snippet = snippetOf(left(content, snippetSourceChars(20)), 20);
    // Assert
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(20);
    expect(snippet).toBe(snippetOf(content, 20));
  });

  it('keeps a document whole, unmarked, when the read holds all of it', () => {
    // Prepare: as many characters as the read takes, less the one that tells a cut
    const content = `a${' '.repeat(snippetSourceChars(20) - 4)}bc`;
    // Act
    const snippet = snippetOf(left(content, snippetSourceChars(20)), 20);
    // Assert
    expect(snippet).toBe('a bc');
    expect(snippetOf(left(`${content}d`, snippetSourceChars(20)), 20)).toBe('a bc…');
  });
});

describe('the SNIPPET_CHARS setting', () => {
  const setting = WorkerConfigSchema.shape.SNIPPET_CHARS;

  it.each([
    [undefined, 200],
    ['0', 0],
    ['1000', 1000],
  ])('reads %j as %i', (value, expected) => {
    expect(setting.parse(value)).toBe(expected);
  });

  it.each(['-1', '1001', '2.5', 'many'])('refuses %j', (value) => {
    expect(setting.safeParse(value).success).toBe(false);
  });
});

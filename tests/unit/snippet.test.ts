import { describe, expect, it } from 'vitest';
import { snippetOf } from '../../ecs/snippet';

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
  });
});

import { describe, expect, it } from 'vitest';
import { passageSettings, splitPassages, codePointSpans } from '../../shared/passages';
import type { Passage, SplitSettings } from '../../shared/passages';
import { seededRandom as random } from '../helpers/fuzzEvents';

const WORDS = ['harbour', 'crane', 'ledger', 'a', 'of', 'the', 'vector', 'émigré', '港口', '🚢', 'supercalifragilistic'];

/** Text of sentences and paragraphs, with the odd very long word. */
function corpus(next: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    const word = next() < 0.01 ? 'x'.repeat(Math.floor(next() * 300)) : (WORDS[Math.floor(next() * WORDS.length)] ?? 'a');
    const roll = next();
    text += word + (roll < 0.05 ? '.\n\n' : roll < 0.15 ? '. ' : ' ');
  }
  return text;
}

function checkInvariants(text: string, passages: readonly Passage[], settings: SplitSettings): void {
  expect(passages[0]?.start).toBe(0);
  expect(passages.at(-1)?.end).toBe(text.length);
  for (const [i, passage] of passages.entries()) {
    expect(passage.no).toBe(i);
    expect(passage.text).toBe(text.slice(passage.start, passage.end));
    expect(passage.end - passage.start).toBeLessThanOrEqual(settings.maxChars);
    expect(passage.end).toBeGreaterThan(passage.start);
    const next = passages[i + 1];
    if (!next) continue;
    // Only the last passage may be less than half full: breaks are looked for in a window's second half.
    expect(passage.end - passage.start).toBeGreaterThan(Math.floor(settings.maxChars / 2));
    // No gap, no passage inside another, and the overlap never more than asked.
    expect(next.start).toBeGreaterThan(passage.start);
    expect(next.start).toBeLessThanOrEqual(passage.end);
    expect(passage.end - next.start).toBeLessThanOrEqual(settings.overlapChars);
    // A surrogate pair is never split.
    const code = text.charCodeAt(passage.end - 1);
    if (passage.end < text.length) expect(code >= 0xd800 && code <= 0xdbff).toBe(false);
  }
}

describe('splitPassages', () => {
  it('keeps a document that fits as one passage, unchanged', () => {
    const text = 'A short note about harbour cranes.\n\nWith two paragraphs.';
    expect(splitPassages(text, { maxChars: 200, overlapChars: 20 })).toEqual([{ no: 0, start: 0, end: text.length, text }]);
  });

  it('gives blank text no passages', () => {
    expect(splitPassages(' \n\t ', { maxChars: 200, overlapChars: 0 })).toEqual([]);
    expect(splitPassages('', { maxChars: 200, overlapChars: 0 })).toEqual([]);
  });

  it('breaks at a paragraph end before a sentence end, and at a sentence end before a space', () => {
    const first = 'The first paragraph is here. It has two sentences';
    const text = `${first}.\n\nThe second paragraph follows with more words in it than fit.`;
    const [one, two] = splitPassages(text, { maxChars: 70, overlapChars: 0 });
    expect(one?.text).toBe(`${first}.\n\n`);
    expect(two?.text.startsWith('The second paragraph')).toBe(true);
    const sentences = 'One sentence ends here. Another one runs on and on past the end of the window';
    expect(splitPassages(sentences, { maxChars: 40, overlapChars: 0 })[0]?.text).toBe('One sentence ends here. ');
  });

  it('repeats the end of a passage at the start of the next, from a word start', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const passages = splitPassages(text, { maxChars: 100, overlapChars: 30 });
    expect(passages.length).toBeGreaterThan(3);
    for (const [i, passage] of passages.entries()) {
      const next = passages[i + 1];
      if (!next) continue;
      expect(next.start).toBeLessThan(passage.end);
      expect(text[next.start - 1]).toBe(' ');
    }
  });

  it('cuts a word longer than a passage without splitting a surrogate pair', () => {
    const text = '🚢'.repeat(100);
    const passages = splitPassages(text, { maxChars: 33, overlapChars: 0 });
    checkInvariants(text, passages, { maxChars: 33, overlapChars: 0 });
    expect(passages.map((p) => p.text).join('')).toBe(text);
  });

  it('holds its invariants and is deterministic over generated documents', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const next = random(seed);
      const text = corpus(next, Math.floor(next() * 5000));
      const settings = { maxChars: 16 + Math.floor(next() * 800), overlapChars: 0 };
      const overlapped = { ...settings, overlapChars: Math.floor((next() * settings.maxChars) / 2) };
      for (const s of [settings, overlapped]) {
        const passages = splitPassages(text, s);
        if (!/\S/u.test(text)) expect(passages).toEqual([]);
        else checkInvariants(text, passages, s);
        expect(splitPassages(text, s)).toEqual(passages);
      }
    }
  });

  it('keeps the passages before an edit as they were, so only changed passages are embedded again', () => {
    const next = random(7);
    const text = corpus(next, 6000);
    const settings = { maxChars: 500, overlapChars: 50 };
    const before = splitPassages(text, settings);
    const editAt = before[6]?.start ?? 0;
    const after = splitPassages(`${text.slice(0, editAt + 10)}inserted words ${text.slice(editAt + 10)}`, settings);
    expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    expect(after[6]?.text).not.toBe(before[6]?.text);
  });

  it('refuses settings that cannot split', () => {
    expect(() => splitPassages('text', { maxChars: 8, overlapChars: 0 })).toThrow(/maxChars/);
    expect(() => splitPassages('text', { maxChars: 100, overlapChars: 60 })).toThrow(/overlapChars/);
  });
});

describe('passageSettings', () => {
  it('turns tokens into characters at the documented ratio', () => {
    expect(passageSettings(400, 40)).toEqual({ maxChars: 1600, overlapChars: 160 });
    expect(passageSettings(400, 40, 1.5)).toEqual({ maxChars: 600, overlapChars: 60 });
    expect(() => passageSettings(400, 300)).toThrow(/overlap/);
  });
});

describe('codePointSpans', () => {
  it('places each passage in code points, as Postgres counts characters', () => {
    const text = `${'🌋 lava '.repeat(30)}\n\n${'plain words here. '.repeat(20)}`;
    const passages = splitPassages(text, { maxChars: 120, overlapChars: 20 });
    const points = Array.from(text);
    for (const [i, span] of codePointSpans(text, passages).entries()) {
      expect(points.slice(span.start, span.start + span.chars).join('')).toBe(passages[i]?.text);
    }
  });
});

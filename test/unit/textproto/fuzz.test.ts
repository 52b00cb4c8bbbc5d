// Robustness: random mutations and truncations of corpus files never make the engine throw or
// hang, deep nesting does not overflow the stack, and time grows linearly with input size.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatText, parse, print, tokenize } from '../../../src/textproto';
import { realFiles } from './corpus';
import { seededRandom } from '../prng';

const prng = seededRandom;

const PIECES = [
  '{',
  '}',
  '<',
  '>',
  '[',
  ']',
  ':',
  ',',
  ';',
  '-',
  '+',
  '"',
  "'",
  '#',
  '\\',
  '\n',
  ' ',
  '/',
  '.',
  '0x',
  '1e',
  'f',
  'F',
  '_',
  '\u00a0',
  '“',
  '\uFEFF',
  '\u0000',
  'item',
  '\\u00',
  '\r',
];

function mutate(text: string, random: () => number): string {
  const at = () => Math.floor(random() * (text.length + 1));
  const choice = random();
  if (choice < 0.2) return text.slice(0, at());
  const edits = 1 + Math.floor(random() * 4);
  let out = text;
  for (let i = 0; i < edits; i++) {
    const pos = Math.floor(random() * (out.length + 1));
    const kind = random();
    const piece = PIECES[Math.floor(random() * PIECES.length)] ?? '';
    if (kind < 0.4) out = out.slice(0, pos) + piece + out.slice(pos);
    else if (kind < 0.7) out = out.slice(0, pos) + out.slice(pos + 1 + Math.floor(random() * 8));
    else {
      const from = Math.floor(random() * out.length);
      out = out.slice(0, pos) + out.slice(from, from + Math.floor(random() * 40)) + out.slice(pos);
    }
  }
  return out;
}

describe('fuzz', () => {
  it('survives 3,000 random mutations and truncations of corpus files', () => {
    const files = realFiles();
    const random = prng(20240601);
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      const file = files[Math.floor(random() * files.length)];
      assert.ok(file);
      const text = mutate(file.text, random);
      try {
        const doc = parse(text);
        for (const d of doc.diagnostics) {
          assert.ok(d.offset >= 0 && d.offset + d.length <= text.length, `range of ${d.code}`);
          assert.ok(d.message.length > 0);
        }
        assert.equal(tokenize(text).tokens.at(-1)?.kind, 'eof');
        print(doc);
        const formatted = formatText(text);
        if (!formatted.skipped) assert.equal(formatText(formatted.text).text, formatted.text);
      } catch (error) {
        assert.fail(
          `iteration ${i} on ${file.name} threw: ${String(error)}\n${JSON.stringify(text.slice(0, 200))}`,
        );
      }
    }
    assert.ok(Date.now() - started < 60_000, 'fuzzing took over a minute');
  });

  it('parses 10,000-deep nesting without a stack overflow, closed or not', () => {
    const depth = 10_000;
    const closed = parse('a {'.repeat(depth) + 'x: 1' + '}'.repeat(depth));
    assert.deepEqual(closed.diagnostics, []);
    // One error for all of them (it counts the others), not 10,000 identical lines.
    const unclosed = parse('a {'.repeat(depth));
    assert.equal(unclosed.diagnostics.length, 1);
    assert.match(unclosed.diagnostics[0]!.message, /inside 9,999 more messages around it/);
    assert.ok(parse('a: ['.repeat(depth)).diagnostics.length >= 1);
    assert.ok(parse('l: [{'.repeat(depth)).diagnostics.length >= 1);
    assert.ok(parse('[{<'.repeat(depth)).diagnostics.length >= 1);
    assert.ok(print(closed).length > 0);
  });

  it('takes time roughly linear in the input size', () => {
    // Four copies of the corpus as the unit, so both sizes run long enough that timer resolution
    // and start-up costs do not dominate; the best of five runs each, to step around load spikes.
    const base = realFiles()
      .map((f) => f.text)
      .join('\n')
      .repeat(4);
    const time = (text: string) => {
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        parse(text);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    time(base); // warm up
    const one = time(base);
    const eight = time(base.repeat(8));
    // Linear would be 8x; a quadratic parser would be about 64x. Generous for noisy machines.
    assert.ok(
      eight < Math.max(one, 5) * 24,
      `1x: ${one.toFixed(1)} ms, 8x: ${eight.toFixed(1)} ms`,
    );
  });
});

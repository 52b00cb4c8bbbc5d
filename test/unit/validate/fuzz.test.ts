// Random mutations and truncations of corpus files through the whole validator (parse, walk, API
// rules, project checks): it must never throw, whatever the input.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../../src/schema';
import { NodeProjectHost, validateText } from '../../../src/schema/validate';
import { corpusDir, realFiles } from '../textproto/corpus';
import { seededRandom } from '../prng';

const random = seededRandom;

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
  '"',
  "'",
  '\\',
  '-',
  '#',
  '\n',
  'item',
  'id: 0',
  'num_classes: 1',
  'model {',
  '0x',
  '1e',
  'nan',
  '\u00a0',
  '\u201c',
];

describe('validation fuzz', () => {
  it('never throws on thousands of mutated and truncated corpus files', () => {
    const dir = corpusDir();
    const host = new NodeProjectHost([dir]);
    const files = realFiles().filter((f) => f.text.length < 20_000);
    const next = random(20240501);
    let runs = 0;
    for (let i = 0; i < 2000; i++) {
      const file = files[Math.floor(next() * files.length)]!;
      let text = file.text;
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * text.length);
        const r = next();
        if (r < 0.3) text = text.slice(0, at);
        else if (r < 0.6) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 20));
        else text = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
      }
      const root = file.name.endsWith('.config') ? PIPELINE_CONFIG : LABEL_MAP;
      const label = `${file.name} run ${i}`;
      const result = validateText(text, { root, path: join(dir, file.name), host });
      for (const d of result.diagnostics) {
        assert.ok(d.offset >= 0 && d.offset + d.length <= text.length, label);
        assert.ok(d.message.length > 0, label);
      }
      runs++;
    }
    assert.equal(runs, 2000);
  });

  it('walks a 10,000-deep nesting without overflowing the stack', () => {
    const depth = 10_000;
    const deep =
      'model { ssd { '.repeat(1) +
      'feature_extractor { '.repeat(depth) +
      '}'.repeat(depth) +
      ' } }\n';
    const result = validateText(deep, { root: PIPELINE_CONFIG });
    assert.ok(
      result.diagnostics.some((d) => d.code === 'unknown-field' || d.code === 'duplicate-field'),
    );
  });
});

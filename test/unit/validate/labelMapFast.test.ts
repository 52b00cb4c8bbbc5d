// The label map fast path (src/schema/validate/labelMapFast.ts) must be invisible: for every text
// it accepts, validation gives exactly the diagnostics, label map summary and tree of the full
// parser and schema walk. Checked on the corpus label maps, the label map mutants, generated maps
// and thousands of fuzzed variants (many of which the fast path must refuse).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_MAP } from '../../../src/schema';
import { defaultSchema, validateText } from '../../../src/schema/validate';
import { scanSimpleLabelMap } from '../../../src/schema/validate/labelMapFast';
import { parse, type DocumentNode } from '../../../src/textproto';
import { lazyDocument } from '../../../src/textproto/lazyDocument';
import { decodeUtf8 } from '../../../src/textproto';
import { mutants, realFiles } from '../textproto/corpus';
import { seededRandom } from '../prng';

/** A tree as plain data (parents dropped: they point back up). */
function plain(value: unknown, seen = new Set<unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => plain(v, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    if (key !== 'parent') out[key] = plain((value as Record<string, unknown>)[key], seen);
  seen.delete(value);
  return out;
}

function summaryOf(result: ReturnType<typeof validateText>) {
  const map = result.labelMap;
  if (!map) return undefined;
  return {
    maxId: map.maxId,
    items: map.items.map((i) => ({
      id: i.id,
      name: i.name,
      displayName: i.displayName,
      message: i.message.offset,
      idNode: i.idNode?.offset,
      nameNode: i.nameNode?.offset,
      sameTree: i.message.parent.parent === result.doc,
    })),
  };
}

const schema = defaultSchema();

/** Validates `text` through the fast path (when it applies) and through the full path. */
function compare(text: string, label: string, path?: string): boolean {
  const options = path ? { schema, path } : { schema, root: LABEL_MAP };
  const fast = validateText(text, options);
  // A parsed tree handed in skips the fast scan: the full parser and schema walk.
  const full = validateText(text, { ...options, parsed: parse(text) });
  assert.deepEqual(fast.diagnostics, full.diagnostics, `${label}: diagnostics differ`);
  assert.equal(fast.type.root?.fullName, full.type.root?.fullName, label);
  assert.deepEqual(summaryOf(fast), summaryOf(full), `${label}: label map summary differs`);
  assert.deepEqual(plain(fast.doc), plain(full.doc), `${label}: tree differs`);
  for (const field of fast.doc.fields) assert.equal(field.parent, fast.doc, label);
  return scanSimpleLabelMap(text) !== undefined;
}

function item(id: string, name: string, display: string): string {
  return `item {\n  name: ${name}\n  id: ${id}\n  display_name: ${display}\n}\n`;
}

const random = seededRandom;

const IDS = [
  '1',
  '2',
  '3',
  '0',
  '7',
  '012',
  '-1',
  '- 2',
  '+3',
  '0x10',
  '1.5',
  '999999999',
  '1000000000',
  '42abc',
  '5',
  '2',
];
const NAMES = [
  '"a"',
  '"b"',
  '"background"',
  "'c'",
  '"a\\tb"',
  '"x y"',
  '""',
  '"é"',
  '"a" "b"',
  '"a',
  'a',
  '"/m/01"',
  '"b"',
];
const GLUE = [' ', '', '\t', '\n', '\r\n', '  \n\n  ', ' # c\n', ',', ';', '\u00a0', '\v'];

function fuzzedMap(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const items: string[] = [];
  const count = Math.floor(rand() * 6);
  for (let i = 0; i < count; i++) {
    const fields: string[] = [];
    for (const [key, values] of [
      ['name', NAMES],
      ['id', IDS],
      ['display_name', NAMES],
    ] as const) {
      const r = rand();
      if (r < 0.15) continue;
      fields.push(`${key}:${pick(GLUE)}${pick(values)}`);
      if (r > 0.95) fields.push(`${key}: ${pick(values)}`);
    }
    if (rand() < 0.05) fields.push(pick(['keypoints { id: 1 }', 'frequency: RARE', 'nme: "x"']));
    for (let j = fields.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [fields[j], fields[k]] = [fields[k] as string, fields[j] as string];
    }
    const sep = () => (rand() < 0.9 ? pick([' ', '\n  ', '']) : pick(GLUE));
    const head =
      rand() < 0.95 ? `item${pick([' ', '', '\n', ': '])}{` : pick(['item <', 'items {', 'item{{']);
    items.push(`${head}${sep()}${fields.join(sep())}${sep()}}`);
  }
  let text = items.join(rand() < 0.9 ? '\n' : pick(GLUE));
  if (rand() < 0.1) text = `${pick(GLUE)}${text}${pick(GLUE)}`;
  const mutate = rand();
  if (mutate < 0.15 && text.length > 0) text = text.slice(0, Math.floor(rand() * text.length));
  else if (mutate < 0.3 && text.length > 0) {
    const at = Math.floor(rand() * text.length);
    text =
      text.slice(0, at) + pick(['{', '}', '"', ':', ' ', '\\', '#', 'x', '0']) + text.slice(at + 1);
  }
  return text;
}

describe('label map fast path', () => {
  it('agrees with the full parser on every corpus label map', () => {
    for (const file of realFiles())
      if (file.name.endsWith('.pbtxt')) {
        compare(file.text, file.name);
        compare(file.text, file.name, `/p/${file.name}`);
      }
  });

  it('agrees with the full parser on every label map mutant', () => {
    let taken = 0;
    for (const m of mutants())
      if (m.file.endsWith('.pbtxt')) if (compare(decodeUtf8(m.bytes).text, m.id)) taken++;
    assert.ok(taken > 0, 'no mutant took the fast path');
  });

  it('agrees on generated maps with duplicate ids and names, id 0 and missing fields', () => {
    const cases = [
      '',
      '\n\n',
      item('1', '"a"', '"A"') + item('1', '"b"', '"B"'),
      item('1', '"a"', '"A"') + item('2', '"a"', '"A"'),
      item('0', '"background"', '"x"') + item('0', '"x"', '"background"') + item('0', '"y"', '"y"'),
      'item { name: "a" }\nitem { id: 3 }\nitem { }\nitem{display_name:"d"}',
      'item{id:5}item{id:5 name:"q"}item{name:"q"id:6}',
      "item { name: 'single' id: 999999999 display_name: 'quotes' }",
      item('3', '"x"', '"y"').repeat(50),
    ];
    let taken = 0;
    for (const [i, text] of cases.entries()) if (compare(text, `case ${i}`)) taken++;
    assert.equal(taken, cases.length, 'every generated case is in the strict shape');
  });

  it('agrees on thousands of fuzzed label maps', () => {
    const rand = random(20240607);
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const text = fuzzedMap(rand);
      if (
        compare(
          text,
          `fuzz ${i}: ${JSON.stringify(text)}`,
          i % 5 === 0 ? '/p/label_map.pbtxt' : undefined,
        )
      )
        taken++;
      else refused++;
    }
    assert.ok(
      taken > 300 && refused > 300,
      `fast ${taken}, full ${refused}: the fuzzer misses a side`,
    );
  });

  it('builds the tree on first read, exactly as parse does', () => {
    const text = item('1', '"a"', '"A"') + item('2', '"b"', '"B"');
    const doc: DocumentNode = lazyDocument(text);
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(plain(doc), plain(parse(text)));
    assert.equal(doc.fields[0]?.parent, doc);
    assert.equal(doc.fields, doc.fields);
  });
});

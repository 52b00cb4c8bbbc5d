// `npm run bench:edit` (test/bench/edit.ts): completion and hover latency on the largest corpus
// config, as the language server answers them (the validation of the current version cached, as
// after the diagnostics of an edit) and cold (validation of a new version included). Prints a
// table; not a test. Target: < 20 ms.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { complete, formatDocument, hover, languageContext } from '../../src/schema/language';
import { validateText } from '../../src/schema/validate';

const root = resolve(__dirname, '..', '..');
const corpus = process.env.TFOD_CORPUS ?? resolve(root, '..', 'shared', 'corpus');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
}

function measure(fn: (i: number) => void, runs: number): number[] {
  for (let i = 0; i < 5; i++) fn(i);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn(i);
    t.push(performance.now() - s);
  }
  return t;
}

function main(): void {
  const dir = join(corpus, 'tf1');
  const files = readdirSync(dir).filter((n) => n.endsWith('.config'));
  const largest = files
    .map((n) => ({ n, size: statSync(join(dir, n)).size }))
    .sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error(`no configs in ${dir}`);
  const path = join(dir, largest.n);
  const text = readFileSync(path, 'utf8');
  // Positions: every field name (hover) and a fresh line inside every message (completion).
  const names = [...text.matchAll(/^[ \t]*([a-z_][a-z0-9_]*)\s*[:{]/gm)].map(
    (m) => (m.index ?? 0) + m[0].indexOf(m[1] as string) + 1,
  );
  const lineStarts = [...text.matchAll(/\{\n/g)].map((m) => (m.index ?? 0) + 2);
  const result = validateText(text, { path });
  const warm = (fn: (ctx: ReturnType<typeof languageContext>, i: number) => void) => (i: number) =>
    fn(languageContext(text, { path, result }), i);
  const cold =
    (fn: (ctx: ReturnType<typeof languageContext>, i: number) => void) => (i: number) => {
      const fresh = validateText(text, { path });
      fn(languageContext(text, { path, result: fresh }), i);
    };
  const hoverAt = (ctx: ReturnType<typeof languageContext>, i: number) => {
    if (!hover(ctx, names[i % names.length] as number)) throw new Error('no hover');
  };
  const completeAt = (ctx: ReturnType<typeof languageContext>, i: number) => {
    complete(ctx, lineStarts[i % lineStarts.length] as number);
  };
  console.log(
    `tfod edit benchmark (node ${process.version}) on ${largest.n}: ${text.length} chars, ${text.split('\n').length} lines`,
  );
  console.log('ms per request'.padEnd(48) + 'median'.padStart(10) + 'p95'.padStart(10));
  const rows: [string, number[]][] = [
    ['hover (validated version cached)', measure(warm(hoverAt), 400)],
    ['completion (validated version cached)', measure(warm(completeAt), 400)],
    ['hover (new version: validate + hover)', measure(cold(hoverAt), 100)],
    ['completion (new version: validate + complete)', measure(cold(completeAt), 100)],
    ['format document', measure(() => formatDocument(text), 100)],
  ];
  let worst = 0;
  for (const [label, t] of rows) {
    const median = percentile(t, 0.5);
    const p95 = percentile(t, 0.95);
    if (!label.startsWith('format')) worst = Math.max(worst, p95);
    console.log(label.padEnd(48) + median.toFixed(3).padStart(10) + p95.toFixed(3).padStart(10));
  }
  console.log(
    `\ntarget: completion and hover < 20 ms (${worst < 20 ? 'met' : 'MISSED'}, worst p95 ${worst.toFixed(2)} ms)`,
  );
}

main();

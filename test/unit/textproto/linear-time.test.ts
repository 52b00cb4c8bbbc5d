import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../../src/schema/model';
import { validateText } from '../../../src/schema/validate/validate';
import { parse } from '../../../src/textproto';

// Parsing and validation take time linear in the input whatever its shape. One-line inputs are
// the shape that found a quadratic path (each `}` scanned back to its line's start): Python
// protobuf prints a message on one line, and deep nesting can sit on one line too. Each input is
// timed at four sizes, best of five; linear growth from 1x to 8x is 8, quadratic 64. Times are
// this process's CPU time, not wall time: the other test files and containers running beside it on
// the same cores would otherwise show up as growth.
function best(run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    fastest = Math.min(fastest, (used.user + used.system) / 1000);
  }
  return fastest;
}

function assertLinear(
  what: string,
  make: (n: number) => string,
  unit: number,
  work: (text: string) => void,
) {
  const inputs = [1, 2, 4, 8].map((k) => make(unit * k));
  work(inputs[0] as string); // warm up
  const times = inputs.map((text) => best(() => work(text)));
  const [one, , , eight] = times as [number, number, number, number];
  const figures = times.map((t, i) => `${2 ** i}x ${t.toFixed(1)} ms`).join(', ');
  // A floor of 4 ms keeps timer resolution from passing for growth; 24 is generous for noise.
  assert.ok(eight < Math.max(one, 4) * 24, `${what} is not linear: ${figures}`);
}

const deepClosed = (depth: number) => `${'a { '.repeat(depth)}${'} '.repeat(depth)}`;
const deepUnclosed = (depth: number) => 'model { ssd { '.repeat(depth);
const labelMapLine = (items: number) =>
  Array.from({ length: items }, (_, i) => `item { id: ${i + 1} name: "class_${i + 1}" }`).join(' ');

describe('linear time on one-line inputs', () => {
  it('parses 2,000 to 16,000 closed levels of nesting on one line', () => {
    assertLinear('parsing deep nesting on one line', deepClosed, 2_000, (text) => parse(text));
  });

  it('parses 1,000 to 8,000 unclosed levels of nesting on one line', () => {
    assertLinear('parsing unclosed nesting on one line', deepUnclosed, 1_000, (text) =>
      parse(text),
    );
  });

  it('parses a label map of 2,000 to 16,000 items printed on one line (what editing features read)', () => {
    assertLinear('parsing a one-line label map', labelMapLine, 2_000, (text) => parse(text));
  });

  it('validates a label map of 2,000 to 16,000 items printed on one line', () => {
    assertLinear('validating a one-line label map', labelMapLine, 2_000, (text) =>
      validateText(text, { root: LABEL_MAP }),
    );
  });

  it('validates a config with 1,000 to 8,000 unclosed levels on one line', () => {
    assertLinear('validating unclosed nesting on one line', deepUnclosed, 1_000, (text) =>
      validateText(text, { root: PIPELINE_CONFIG }),
    );
  });
});

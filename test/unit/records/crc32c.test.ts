import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import {
  crc32c,
  crc32cCombine,
  crc32cImplementation,
  crc32cJs,
  crc32cOfParts,
  rememberCrc32c,
} from '../../../src/core/records/crc32c';

const slowCrc32c = (d: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of d) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
};

const dir = mkdtempSync(join(tmpdir(), 'tfod-crc32c-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CRC-32C in JavaScript, sixteen bytes a step', () => {
  const data = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 151 + 7) & 255));

  it('equals the bit-by-bit definition for every length and alignment, and continues across parts', () => {
    assert.equal(crc32cJs(Buffer.from('123456789')), 0xe3069283); // the check value of CRC-32C
    for (let start = 0; start < 9; start++)
      for (let length = 0; length < 260; length++) {
        const part = data.subarray(start, start + length);
        assert.equal(crc32cJs(part), slowCrc32c(part), `start ${start} length ${length}`);
      }
    assert.equal(crc32cJs(data.subarray(123), crc32cJs(data.subarray(0, 123))), slowCrc32c(data));
  });

  it('combines the CRCs of two pieces into the CRC of both, for any split', () => {
    for (const split of [0, 1, 7, 64, 123, 300, 599, 600]) {
      const a = data.subarray(0, split);
      const b = data.subarray(split);
      assert.equal(
        crc32cCombine(crc32cJs(a), crc32cJs(b), b.length),
        slowCrc32c(data),
        `split ${split}`,
      );
    }
  });

  it('sums pieces with remembered CRCs as if it read them, and only a remembered buffer counts', () => {
    const pieces = [data.subarray(0, 10), Buffer.from(data.subarray(10, 500)), data.subarray(500)];
    rememberCrc32c(pieces[1] as Buffer, crc32c(pieces[1] as Buffer));
    assert.equal(crc32cOfParts(pieces), slowCrc32c(data));
    // A wrong remembered CRC is used as it is: the proof that it was used and not recomputed.
    const liar = Buffer.from(data.subarray(10, 500));
    rememberCrc32c(liar, 0x12345678);
    assert.notEqual(
      crc32cOfParts([pieces[0] as Buffer, liar, pieces[2] as Buffer]),
      slowCrc32c(data),
    );
    // An equal copy is another buffer: computed, not taken from the memory.
    const copy = Buffer.from(liar);
    assert.equal(crc32cOfParts([pieces[0] as Buffer, copy, pieces[2] as Buffer]), slowCrc32c(data));
  });
});

describe('CRC-32C: the native package and the JavaScript fallback agree', () => {
  it('uses @node-rs/crc32 where it is installed (an optionalDependency: npm ci installs it)', () => {
    assert.equal(
      crc32cImplementation(),
      'native',
      '@node-rs/crc32 did not load: run npm ci (it is an optional dependency with prebuilt binaries)',
    );
  });

  it('gives the same CRC as the JavaScript code on random data of every size, offset and start', () => {
    const data = randomBytes(1 << 20);
    const lengths = [0, 1, 3, 15, 16, 63, 64, 65, 100, 255, 4096, 65_537, 245_761, 1 << 20];
    for (const length of lengths)
      for (const offset of [0, 1, 2, 3, 5, 8]) {
        const part = data.subarray(offset, Math.min(data.length, offset + length));
        const start = (offset * 0x9e3779b9) >>> 0;
        assert.equal(crc32c(part), crc32cJs(part), `length ${length} offset ${offset}`);
        assert.equal(
          crc32c(part, start),
          crc32cJs(part, start),
          `length ${length} offset ${offset}, continued from ${start}`,
        );
      }
    for (let length = 0; length < 300; length++) {
      const part = data.subarray(777, 777 + length);
      assert.equal(crc32c(part), slowCrc32c(part), `length ${length}`);
    }
  });

  it('combines native CRCs of pieces into the CRC the JavaScript code gives for the whole', () => {
    const data = randomBytes(300_000);
    for (const split of [0, 1, 63, 64, 1000, 150_001, 299_999, 300_000]) {
      const a = data.subarray(0, split);
      const b = data.subarray(split);
      assert.equal(crc32cCombine(crc32c(a), crc32c(b), b.length), crc32cJs(data), `split ${split}`);
      const image = Buffer.from(b);
      rememberCrc32c(image, crc32c(image));
      assert.equal(crc32cOfParts([a, image]), crc32cJs(data), `parts split at ${split}`);
    }
  });

  it('falls back to the JavaScript code where the package cannot be found (the .vsix: no node_modules)', async () => {
    // Bundled as scripts/build.mjs bundles (the package external) and run from a folder with no
    // node_modules above it, as the extension runs from its .vsix.
    const bundle = join(dir, 'crc.js');
    await esbuild.build({
      entryPoints: [join(__dirname, '../../../src/core/records/crc32c.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      external: ['@node-rs/crc32'],
      logLevel: 'silent',
    });
    const data = randomBytes(100_000);
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const c = require(${JSON.stringify(bundle)}); const d = require('node:fs').readFileSync(0);
         console.log(JSON.stringify([c.crc32cImplementation(), c.crc32c(d), c.crc32c(d.subarray(5), 7)]));`,
      ],
      { cwd: dir, input: data, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ['js', crc32c(data), crc32c(data.subarray(5), 7)]);
  });
});

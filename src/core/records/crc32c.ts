/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord files carry, and
 * TFRecord's masking of it. node:zlib only has the IEEE CRC-32. Where the optional native package
 * `@node-rs/crc32` is installed (an optionalDependency: the CLI from npm, a development checkout) its
 * `crc32c` is used: the CPU's CRC32 instruction, about seven times the speed. Elsewhere (the
 * .vsix, which ships no node_modules; a platform without a prebuilt binary) it is computed here,
 * sixteen bytes a step (slicing-by-16) over int32 tables, the data read as little-endian 32-bit
 * words where it is aligned. Values stay int32 inside the loop (a `>>> 0` there makes V8 box them
 * as doubles, at half the speed); only the result is unsigned. Both give the same numbers
 * (test/unit/records/crc32c.test.ts).
 */
import { createRequire } from 'node:module';

const POLY = 0x82f63b78;

const T = (() => {
  const tables = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++)
    for (let t = 1; t < 16; t++) {
      const previous = tables[(t - 1) * 256 + n] as number;
      tables[t * 256 + n] = (previous >>> 8) ^ (tables[previous & 0xff] as number);
    }
  return tables;
})();

/** The words are read in the machine's byte order; the tables assume little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** CRC-32C of `data` computed here, continuing from `crc` (the CRC of the bytes before it). */
export function crc32cJs(data: Uint8Array, crc = 0): number {
  const t = T;
  let c = ~crc;
  let i = 0;
  const n = data.length;
  if (LITTLE_ENDIAN && n >= 64) {
    // Bytewise up to a 4-byte boundary, then 16 bytes (four words) a step.
    while (((data.byteOffset + i) & 3) !== 0) {
      c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
      i++;
    }
    const words = new Int32Array(data.buffer, data.byteOffset + i, ((n - i) >>> 4) << 2);
    const m = words.length;
    for (let w = 0; w < m; w += 4) {
      const a = c ^ (words[w] as number);
      const b = words[w + 1] as number;
      const d = words[w + 2] as number;
      const e = words[w + 3] as number;
      c =
        (t[3840 + (a & 0xff)] as number) ^
        (t[3584 + ((a >>> 8) & 0xff)] as number) ^
        (t[3328 + ((a >>> 16) & 0xff)] as number) ^
        (t[3072 + (a >>> 24)] as number) ^
        (t[2816 + (b & 0xff)] as number) ^
        (t[2560 + ((b >>> 8) & 0xff)] as number) ^
        (t[2304 + ((b >>> 16) & 0xff)] as number) ^
        (t[2048 + (b >>> 24)] as number) ^
        (t[1792 + (d & 0xff)] as number) ^
        (t[1536 + ((d >>> 8) & 0xff)] as number) ^
        (t[1280 + ((d >>> 16) & 0xff)] as number) ^
        (t[1024 + (d >>> 24)] as number) ^
        (t[768 + (e & 0xff)] as number) ^
        (t[512 + ((e >>> 8) & 0xff)] as number) ^
        (t[256 + ((e >>> 16) & 0xff)] as number) ^
        (t[e >>> 24] as number);
    }
    i += m * 4;
  }
  while (i < n) {
    c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
}

type Crc32cFunction = (data: Uint8Array, crc?: number) => number;

/**
 * `@node-rs/crc32`'s crc32c when it loads and answers the standard check value (the CRC-32C of
 * "123456789"), else undefined. Resolved from this file (the bundle's folder or the source's), by
 * a require esbuild leaves alone (the package is external in scripts/build.mjs too).
 * TFOD_CRC32C=js turns it off, to measure the JavaScript code (`npm run bench:data`).
 */
function loadNativeCrc32c(): Crc32cFunction | undefined {
  if (process.env.TFOD_CRC32C === 'js') return undefined;
  try {
    const from = typeof __filename === 'string' ? __filename : process.cwd() + '/';
    const native = (createRequire(from)('@node-rs/crc32') as { crc32c?: unknown }).crc32c;
    if (typeof native !== 'function') return undefined;
    const crc = native as Crc32cFunction;
    return crc(Buffer.from('123456789')) === 0xe3069283 ? crc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looked for on the first CRC that wants it, not when this module loads: the extension host loads
 * it at activation (the TFRecord viewer's code is in its bundle), where a require of a package
 * the .vsix does not ship would cost a failed lookup in every window (test/unit/project/lazyBundles).
 * `null` until then.
 */
let native: Crc32cFunction | undefined | null = null;

function nativeCrc32c(): Crc32cFunction | undefined {
  if (native === null) native = loadNativeCrc32c();
  return native;
}

/** Bytes from which the native function is faster than the JavaScript one, call cost included. */
const NATIVE_FROM = 64;

/** Which implementation {@link crc32c} uses: the native package's or the JavaScript one. */
export function crc32cImplementation(): 'native' | 'js' {
  return nativeCrc32c() ? 'native' : 'js';
}

/**
 * CRC-32C of `data`, continuing from `crc` (the CRC of the bytes before it) when given. Short
 * inputs stay in JavaScript: a call into the native module costs more than summing a few bytes.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  const fast = data.length >= NATIVE_FROM ? nativeCrc32c() : undefined;
  return fast ? fast(data, crc) : crc32cJs(data, crc);
}

/**
 * The product of two polynomials modulo the CRC polynomial, both in the CRC's reflected form (bit
 * 31 is x^0).
 */
function multiplyModPoly(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if (a & bit) product ^= b;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial for k = 0..31 (reflected): squares, each of the one before. */
const X_POW_2K = (() => {
  const powers = new Uint32Array(32);
  powers[0] = 0x40000000; // x^1
  for (let k = 1; k < 32; k++)
    powers[k] = multiplyModPoly(powers[k - 1] as number, powers[k - 1] as number);
  return powers;
})();

/**
 * The CRC-32C of A followed by B, from the CRC of A, the CRC of B and B's length: A's CRC moved
 * past B's 8·length zero bits (a product with x^(8·length)), then B's CRC added. Lets a CRC be
 * computed in pieces, in any order and on other threads, and joined in microseconds.
 */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  let shift = 0x80000000; // x^0
  let bits = lengthB * 8;
  for (let k = 0; bits > 0; k++, bits = Math.floor(bits / 2))
    if (bits % 2 === 1) shift = multiplyModPoly(X_POW_2K[k % 32] as number, shift);
  return (multiplyModPoly(shift, crcA) ^ crcB) >>> 0;
}

/**
 * CRC-32Cs computed elsewhere (a conversion's worker threads compute each image's as they read
 * it), by the bytes they are of: {@link crc32cOfParts} combines them instead of going over the
 * bytes again. Weak: a remembered buffer is forgotten with it.
 */
const remembered = new WeakMap<Uint8Array, number>();

/** Says that `crc` is the CRC-32C of `bytes` (which must not change after). */
export function rememberCrc32c(bytes: Uint8Array, crc: number): void {
  remembered.set(bytes, crc);
}

/** The CRC-32C of the pieces one after the other, using the ones remembered. */
export function crc32cOfParts(parts: readonly Uint8Array[]): number {
  let crc = 0;
  for (const part of parts) {
    const known = remembered.get(part);
    crc = known === undefined ? crc32c(part, crc) : crc32cCombine(crc, known, part.length);
  }
  return crc;
}

/** TFRecord's masked CRC: rotate right by 15 bits and add a constant, modulo 2^32. */
export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

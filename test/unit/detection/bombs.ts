// Images that cost far more to decode than they weigh, for the decoding limits' tests (unit and
// over HTTP). Each is a real file of its kind unless said otherwise: the PNGs are zeros, which
// deflate packs about 1,000 to 1.
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG of `width` x `height` black pixels. 1 x 67,108,864 RGB is the 261 KB file that hung the
 * server; 8192 x 8192 RGB the 196 KB one that cost 3.5 GB.
 */
export function blackPng(
  width: number,
  height: number,
  options: { colourType?: number; bitDepth?: number; interlaced?: boolean; idat?: Buffer } = {},
): Buffer {
  const colourType = options.colourType ?? 2;
  const bitDepth = options.bitDepth ?? 8;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType] ?? 3;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  ihdr[12] = options.interlaced ? 1 : 0;
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8) + 1;
  const idat = options.idat ?? deflateZeros(rowBytes * height);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real Adam7-interlaced 8-bit grey PNG whose pixel (x, y) is `grey(x, y)`. */
export function interlacedGreyPng(
  width: number,
  height: number,
  grey: (x: number, y: number) => number,
): Buffer {
  const passes = [
    [0, 8, 0, 8],
    [4, 8, 0, 8],
    [0, 4, 4, 8],
    [2, 4, 0, 4],
    [0, 2, 2, 4],
    [1, 2, 0, 2],
    [0, 1, 1, 2],
  ];
  const rows: number[] = [];
  for (const [x0, dx, y0, dy] of passes)
    for (let y = y0!; y < height; y += dy!) {
      if (x0! >= width) break;
      rows.push(0);
      for (let x = x0!; x < width; x += dx!) rows.push(grey(x, y));
    }
  return blackPng(width, height, {
    colourType: 0,
    interlaced: true,
    idat: deflateSync(Buffer.from(rows)),
  });
}

/** The deflate stream of `length` zero bytes. */
export function deflateZeros(length: number): Buffer {
  return deflateSync(Buffer.alloc(length), { level: 9 });
}

/**
 * A real JPEG whose frame header is rewritten to claim `width` x `height`, as the 54 KB file
 * claiming 8000 x 8000 that cost 2 GB did.
 */
export function jpegClaiming(width: number, height: number): Buffer {
  const small = jpeg.encode(
    { width: 64, height: 64, data: Buffer.alloc(64 * 64 * 4, 128) },
    90,
  ).data;
  const bytes = Buffer.from(small);
  const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
  bytes.writeUInt16BE(height, sof + 5);
  bytes.writeUInt16BE(width, sof + 7);
  return bytes;
}

/** A JPEG frame header (and nothing after it) with `components` full-resolution components. */
export function jpegHeader(
  width: number,
  height: number,
  options: { components?: number; marker?: number } = {},
): Buffer {
  const components = options.components ?? 3;
  const sof = Buffer.alloc(8 + 3 * components);
  sof.writeUInt16BE(8 + 3 * components, 0);
  sof[2] = 8;
  sof.writeUInt16BE(height, 3);
  sof.writeUInt16BE(width, 5);
  sof[7] = components;
  for (let i = 0; i < components; i++) sof.set([i + 1, 0x11, 0], 8 + 3 * i);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, options.marker ?? 0xc0]),
    sof,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A progressive JPEG of `scans` tiny scans: each one makes the decoder walk every block. */
export function manyScanJpeg(scans: number): Buffer {
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
  const header = jpegHeader(4096, 4096, { components: 1, marker: 0xc2 });
  return Buffer.concat([
    header.subarray(0, header.length - 2),
    ...Array.from({ length: scans }, () => sos),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

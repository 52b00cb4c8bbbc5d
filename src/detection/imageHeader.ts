import { ImageDecodeError, ImageTooLargeError } from './errors';

// What an image costs is told by its header, before anything is allocated for it: a 6 MB request
// can describe a picture that needs gigabytes once decoded (a 54 KB JPEG header claiming
// 8000 x 8000 pixels cost 2 GB; a 261 KB PNG of 1 x 67,108,864 pixels ran the heap out). The
// header is read here, weighed against three limits, and only then handed to the decoder.

export type ImageFormat = 'jpeg' | 'png';

/** Longest side decoded, in pixels (a 16384 x 1024 panorama passes; 1 x 67,108,864 does not). */
export const MAX_IMAGE_SIDE = 16_384;

/**
 * Most pixels decoded: 16 megapixels (4096 x 4096). A 12 MP phone photo is 3-5 MB as a JPEG;
 * pictures much larger than this one no longer fit SageMaker's 6 MB request, and decoding plus
 * the model's input tensor cost about 80 bytes a pixel (1.3 GB here).
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

/**
 * Most memory the decoder may allocate for one image, counted from the header the way the
 * decoder allocates (jpeg-js keeps every 8 x 8 block of coefficients as its own typed array,
 * about 680 bytes each; pngjs holds the inflated, unfiltered and RGBA copies at once).
 */
export const MAX_DECODE_BYTES = 768 * 1024 * 1024;

/** Most scans (passes) a progressive JPEG may have: each one walks every block of the image. */
export const MAX_JPEG_SCANS = 100;

/** What an image file's header says, read without decoding it. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Colour channels as stored (JPEG components, PNG samples per pixel). */
  readonly channels: number;
  /** Bits per sample. */
  readonly bitDepth: number;
  /** A progressive JPEG or an interlaced PNG. */
  readonly progressive: boolean;
  /** Bytes the decoder allocates for this image, by its header. */
  readonly decodeBytes: number;
  /** For JPEG: the memory jpeg-js itself counts against its `maxMemoryUsageInMB` for this header. */
  readonly decoderBudgetBytes: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Names of formats we recognise but do not decode, so the error can say what was sent. */
const OTHER_FORMATS: ReadonlyArray<[name: string, matches: (b: Uint8Array) => boolean]> = [
  ['GIF', (b) => ascii(b, 0, 4) === 'GIF8'],
  ['WebP', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP'],
  ['BMP', (b) => ascii(b, 0, 2) === 'BM'],
  ['TIFF', (b) => ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*'],
  ['HEIF/AVIF', (b) => ascii(b, 4, 4) === 'ftyp'],
];

/** The image format from the first bytes (magic numbers), or undefined for anything else. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'jpeg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((v, i) => bytes[i] === v))
    return 'png';
  return undefined;
}

/**
 * Reads a JPEG's or PNG's header and checks it against {@link MAX_IMAGE_SIDE},
 * {@link MAX_IMAGE_PIXELS} and {@link MAX_DECODE_BYTES}. Throws {@link ImageTooLargeError} for an
 * image over a limit and {@link ImageDecodeError} for anything that is not a readable JPEG or PNG
 * header. Costs a walk over the header's segments or chunks, never the pixels.
 */
export function checkImageHeader(bytes: Uint8Array): ImageHeader {
  const header = readImageHeader(bytes);
  const { width, height } = header;
  const name = `${width} x ${height} pixels`;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new ImageTooLargeError(
      `the image is too large to decode (${name}; the limit is ${MAX_IMAGE_SIDE} pixels a side); send a smaller image`,
    );
  if (width * height > MAX_IMAGE_PIXELS)
    throw new ImageTooLargeError(
      `the image is too large to decode (${name}, ${megapixels(width * height)} megapixels; the limit is ${megapixels(MAX_IMAGE_PIXELS)} megapixels); send a smaller image`,
    );
  if (header.decodeBytes > MAX_DECODE_BYTES)
    throw new ImageTooLargeError(
      `the image needs about ${mib(header.decodeBytes)} MB to decode (${name}, ${describe(header)}), over the ${mib(MAX_DECODE_BYTES)} MB limit; send it smaller${header.format === 'png' ? ' or with 8-bit samples' : ' or as an RGB JPEG'}`,
    );
  return header;
}

/** The header of a JPEG or PNG; throws {@link ImageDecodeError} saying what else `bytes` are. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageDecodeError('the image is empty (0 bytes)');
  const format = sniffImageFormat(bytes);
  if (format === 'jpeg') return readJpegHeader(bytes);
  if (format === 'png') return readPngHeader(bytes);
  const other = OTHER_FORMATS.find(([, matches]) => matches(bytes));
  if (other) throw new ImageDecodeError(`${other[0]} images are not supported; send JPEG or PNG`);
  throw new ImageDecodeError(
    `not a JPEG or PNG image (the data starts with ${hexPrefix(bytes)}); send JPEG or PNG bytes`,
  );
}

// --- PNG ---------------------------------------------------------------------------------------

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const PNG_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Adam7 passes: first column, column step, first row, row step. */
const ADAM7 = [
  [0, 8, 0, 8],
  [4, 8, 0, 8],
  [0, 4, 4, 8],
  [2, 4, 0, 4],
  [0, 2, 2, 4],
  [1, 2, 0, 2],
  [0, 1, 1, 2],
] as const;
/** What a small typed array costs beyond its bytes (V8 object, ArrayBuffer, allocator). */
const TYPED_ARRAY_OVERHEAD = 420;

function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 33)
    throw new ImageDecodeError(
      `truncated PNG: the data (${bytes.length} bytes) ends before its header does`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || ascii(bytes, 12, 4) !== 'IHDR')
    throw new ImageDecodeError('corrupt PNG: it does not start with its IHDR header chunk');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const colourType = bytes[25]!;
  const interlaced = bytes[28] === 1;
  if (width === 0 || height === 0)
    throw new ImageDecodeError(`corrupt PNG: its header says ${width} x ${height} pixels`);
  const channels = PNG_CHANNELS[colourType];
  if (channels === undefined || !PNG_DEPTHS[colourType]!.includes(bitDepth))
    throw new ImageDecodeError(
      `corrupt PNG: colour type ${colourType} with ${bitDepth}-bit samples does not exist`,
    );
  // The decoder takes the last IHDR it meets: a second one could describe another size.
  for (let offset = 33; offset + 8 <= bytes.length;) {
    const type = ascii(bytes, offset + 4, 4);
    if (type === 'IHDR')
      throw new ImageDecodeError('corrupt PNG: it has a second IHDR header chunk');
    if (type === 'IEND') break;
    offset += 12 + view.getUint32(offset);
  }
  const inflated = pngInflatedBytes(width, height, channels, bitDepth, interlaced);
  const pixels = width * height;
  // pngjs holds the compressed data, the inflated and the unfiltered rows (each row its own
  // buffer), the bitmap (16-bit samples as 16-bit) and, for 16-bit, an 8-bit copy of it.
  const rows = interlaced ? 2 * height : height;
  const decodeBytes =
    bytes.length +
    2 * inflated +
    rows * TYPED_ARRAY_OVERHEAD +
    pixels * (bitDepth === 16 ? 8 + 4 : 4);
  return {
    format: 'png',
    width,
    height,
    channels,
    bitDepth,
    progressive: interlaced,
    decodeBytes,
    decoderBudgetBytes: decodeBytes,
  };
}

/** Bytes of the zlib stream's content: each row (of each Adam7 pass) with its filter byte. */
export function pngInflatedBytes(
  width: number,
  height: number,
  channels: number,
  bitDepth: number,
  interlaced: boolean,
): number {
  const rowBytes = (w: number) => Math.ceil((w * channels * bitDepth) / 8) + 1;
  if (!interlaced) return rowBytes(width) * height;
  let total = 0;
  for (const [x0, dx, y0, dy] of ADAM7) {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (w > 0 && h > 0) total += rowBytes(w) * h;
  }
  return total;
}

// --- JPEG --------------------------------------------------------------------------------------

/** Start-of-frame markers: every coding process (jpeg-js decodes C0, C1 and C2). */
const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);

function readJpegHeader(bytes: Uint8Array): ImageHeader {
  for (const segment of jpegSegments(bytes)) {
    if (segment.marker === 0xda)
      throw new ImageDecodeError('corrupt JPEG: image data starts before the frame header');
    if (!SOF_MARKERS.has(segment.marker)) continue;
    const at = segment.offset;
    if (at + segment.length > bytes.length)
      throw new ImageDecodeError(
        `truncated JPEG: the data (${bytes.length} bytes) ends inside its frame header`,
      );
    if (segment.length < 8)
      throw new ImageDecodeError('corrupt JPEG: its frame header is too short');
    const bitDepth = bytes[at]!;
    const height = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    const width = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    const count = bytes[at + 5]!;
    if (height === 0)
      throw new ImageDecodeError(
        'the JPEG gives its height after the image data (a DNL marker), which is not supported',
      );
    if (width === 0 || count === 0)
      throw new ImageDecodeError(`corrupt JPEG: its frame header says ${width} x ${height} pixels`);
    if (segment.length < 6 + 3 * count)
      throw new ImageDecodeError('corrupt JPEG: its frame header is cut short');
    const sampling: Array<[h: number, v: number]> = [];
    for (let i = 0; i < count; i++) {
      const factors = bytes[at + 7 + 3 * i]!;
      const h = factors >> 4;
      const v = factors & 15;
      if (h < 1 || h > 4 || v < 1 || v > 4)
        throw new ImageDecodeError(`corrupt JPEG: component ${i + 1} has sampling ${h}x${v}`);
      sampling.push([h, v]);
    }
    const cost = jpegDecodeCost(width, height, sampling);
    return {
      format: 'jpeg',
      width,
      height,
      channels: count,
      bitDepth,
      progressive: segment.marker === 0xc2 || segment.marker === 0xc6,
      decodeBytes: cost.bytes,
      // Tables, comments and EXIF data are counted too; none can be larger than the file.
      decoderBudgetBytes: cost.counted + bytes.length + 1024 * 1024,
    };
  }
  throw new ImageDecodeError(
    `truncated JPEG: the data (${bytes.length} bytes) ends before its frame header`,
  );
}

/**
 * What jpeg-js 0.4 allocates for a frame: per component one Int32Array(64) per block of each
 * MCU, a row of samples per line, then all components interleaved and the RGBA output.
 * `counted` is what jpeg-js itself counts (the blocks at 256 bytes); `bytes` what they cost.
 */
function jpegDecodeCost(
  width: number,
  height: number,
  sampling: ReadonlyArray<readonly [h: number, v: number]>,
): { bytes: number; counted: number } {
  const maxH = Math.max(...sampling.map(([h]) => h));
  const maxV = Math.max(...sampling.map(([, v]) => v));
  const mcusPerLine = Math.ceil(Math.ceil(width / 8) / maxH);
  const mcusPerColumn = Math.ceil(Math.ceil(height / 8) / maxV);
  let bytes = 0;
  let counted = 0;
  for (const [h, v] of sampling) {
    const blocks = mcusPerColumn * v * mcusPerLine * h;
    const samplesPerLine = Math.ceil((Math.ceil(width / 8) * h) / maxH) * 8;
    const lines = Math.ceil((Math.ceil(height / 8) * v) / maxV) * 8;
    counted += blocks * 256 + samplesPerLine * lines;
    bytes +=
      blocks * (256 + TYPED_ARRAY_OVERHEAD) + lines * (samplesPerLine + TYPED_ARRAY_OVERHEAD);
  }
  const output = width * height * (sampling.length + 4);
  return { bytes: bytes + output, counted: counted + output };
}

/**
 * Counts the scans of a JPEG (its SOS markers), walking the entropy-coded data between them.
 * Throws {@link ImageTooLargeError} past {@link MAX_JPEG_SCANS}: a progressive JPEG of 20-byte
 * scans, each of which the decoder runs over every block, costs hours from a few megabytes.
 */
export function checkJpegScans(bytes: Uint8Array): number {
  let scans = 0;
  for (const segment of jpegSegments(bytes, true))
    if (segment.marker === 0xda && ++scans > MAX_JPEG_SCANS)
      throw new ImageTooLargeError(
        `the progressive JPEG has more than ${MAX_JPEG_SCANS} scans, each of which decodes the whole image; save it again as a baseline JPEG`,
      );
  return scans;
}

interface JpegSegment {
  readonly marker: number;
  /** Where the segment's content starts (after its length field). */
  readonly offset: number;
  /** Its content's length. */
  readonly length: number;
}

/**
 * The marker segments of a JPEG, in order, up to the first scan (or, with `throughScans`, up to
 * the end, skipping each scan's entropy-coded data). Bytes between segments that are not a
 * marker are skipped, as libjpeg does. Ends quietly where the data ends or at EOI.
 */
function* jpegSegments(bytes: Uint8Array, throughScans = false): Generator<JpegSegment> {
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) {
      offset++;
      continue;
    }
    while (offset < bytes.length && bytes[offset] === 0xff) offset++;
    const marker = bytes[offset++];
    if (marker === undefined || marker === 0xd9) return;
    // Markers without a length: TEM, RSTn, SOI; 0x00 is a stuffed byte, not a marker.
    if (marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    if (offset + 2 > bytes.length) return;
    const length = ((bytes[offset]! << 8) | bytes[offset + 1]!) - 2;
    if (length < 0) throw new ImageDecodeError('corrupt JPEG: a segment has a length under 2');
    yield { marker, offset: offset + 2, length };
    offset += 2 + length;
    if (marker === 0xda) {
      if (!throughScans) return;
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
      while (offset + 1 < bytes.length) {
        if (bytes[offset] === 0xff) {
          const next = bytes[offset + 1]!;
          if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        }
        offset++;
      }
    }
  }
}

// --- helpers -----------------------------------------------------------------------------------

function describe(header: ImageHeader): string {
  const what =
    header.format === 'png'
      ? `${header.bitDepth}-bit PNG with ${header.channels} channel${header.channels === 1 ? '' : 's'}`
      : `JPEG with ${header.channels} component${header.channels === 1 ? '' : 's'}`;
  return header.progressive
    ? `${what}, ${header.format === 'png' ? 'interlaced' : 'progressive'}`
    : what;
}

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(1);
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

export function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function hexPrefix(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

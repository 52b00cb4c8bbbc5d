import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageDecodeError } from './errors';
import type { RgbaImage } from './types';

export type ImageFormat = 'jpeg' | 'png';

/**
 * Images larger than this many pixels are refused before decoding: a 6 MB request can otherwise
 * describe a picture that needs gigabytes once decoded. 64 MP is 8000 x 8000.
 */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

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
 * Decodes a JPEG or PNG (format told by its magic bytes, never by a name or a content type) into
 * 8-bit RGBA. Throws {@link ImageDecodeError} saying what is wrong for anything else, for
 * truncated files and for images over {@link MAX_IMAGE_PIXELS}.
 */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (bytes.length === 0) throw new ImageDecodeError('the image is empty (0 bytes)');
  const format = sniffImageFormat(bytes);
  if (format === 'jpeg') return decodeJpeg(bytes);
  if (format === 'png') return decodePng(bytes);
  const other = OTHER_FORMATS.find(([, matches]) => matches(bytes));
  if (other) throw new ImageDecodeError(`${other[0]} images are not supported; send JPEG or PNG`);
  throw new ImageDecodeError(
    `not a JPEG or PNG image (the data starts with ${hexPrefix(bytes)}); send JPEG or PNG bytes`,
  );
}

function decodeJpeg(bytes: Uint8Array): RgbaImage {
  try {
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / (1024 * 1024),
      maxMemoryUsageInMB: 1024,
    });
    if (decoded.width <= 0 || decoded.height <= 0)
      throw new ImageDecodeError('the JPEG image has no pixels');
    return { width: decoded.width, height: decoded.height, data: decoded.data };
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(reason))
      throw new ImageDecodeError(
        `the JPEG image is too large to decode (over ${MAX_IMAGE_PIXELS / (1024 * 1024)} megapixels)`,
      );
    if (!hasJpegEnd(bytes))
      throw new ImageDecodeError(
        `truncated JPEG: the data (${bytes.length} bytes) ends before the image does`,
      );
    throw new ImageDecodeError(`corrupt JPEG: ${reason}`);
  }
}

function decodePng(bytes: Uint8Array): RgbaImage {
  const size = pngSize(bytes);
  if (size && size.width * size.height > MAX_IMAGE_PIXELS)
    throw new ImageDecodeError(
      `the PNG image is too large to decode (${size.width} x ${size.height} pixels, over ${MAX_IMAGE_PIXELS / (1024 * 1024)} megapixels)`,
    );
  try {
    const png = PNG.sync.read(toBuffer(bytes));
    return { width: png.width, height: png.height, data: png.data };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!hasPngEnd(bytes))
      throw new ImageDecodeError(
        `truncated PNG: the data (${bytes.length} bytes) ends before the image does`,
      );
    throw new ImageDecodeError(`corrupt PNG: ${reason}`);
  }
}

/** Encodes RGBA pixels as a PNG file. */
export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = toBuffer(image.data);
  return PNG.sync.write(png);
}

/** A JPEG ends with the EOI marker; without one the file was cut short. */
function hasJpegEnd(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 64); i--)
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/** A PNG's last chunk is IEND (4 length bytes, the type, 4 CRC bytes). */
function hasPngEnd(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, bytes.length - 8, 4) === 'IEND';
}

/** Width and height from the IHDR chunk, which must come first in a PNG. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function hexPrefix(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { inflateSync } from 'node:zlib';
import { ImageDecodeError, ImageTooLargeError } from './errors';
import {
  ascii,
  checkImageHeader,
  checkJpegScans,
  pngInflatedBytes,
  type ImageHeader,
} from './imageHeader';
import type { RgbaImage } from './types';

export {
  checkImageHeader,
  MAX_DECODE_BYTES,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  MAX_JPEG_SCANS,
  readImageHeader,
  sniffImageFormat,
  type ImageFormat,
  type ImageHeader,
} from './imageHeader';

/**
 * Decodes a JPEG or PNG (format told by its magic bytes, never by a name or a content type) into
 * 8-bit RGBA. The header is checked first ({@link checkImageHeader}): an image over a size or
 * memory limit throws {@link ImageTooLargeError} before anything is allocated for its pixels.
 * Throws {@link ImageDecodeError} saying what is wrong for anything else and for truncated files.
 */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const header = checkImageHeader(bytes);
  return header.format === 'jpeg' ? decodeJpeg(bytes, header) : decodePng(bytes, header);
}

function decodeJpeg(bytes: Uint8Array, header: ImageHeader): RgbaImage {
  if (header.progressive) checkJpegScans(bytes);
  try {
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      // jpeg-js reads the header again itself: it may allocate no more than the header this
      // file was checked by, so a frame it found elsewhere could not make it allocate more.
      maxResolutionInMP: (header.width * header.height + 1) / 1e6,
      maxMemoryUsageInMB: header.decoderBudgetBytes / (1024 * 1024),
    });
    if (decoded.width <= 0 || decoded.height <= 0)
      throw new ImageDecodeError('the JPEG image has no pixels');
    return { width: decoded.width, height: decoded.height, data: decoded.data };
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(reason))
      throw new ImageTooLargeError(
        `the JPEG needs more memory to decode than its ${header.width} x ${header.height} pixel header says (${reason}); send it saved again`,
      );
    if (!hasJpegEnd(bytes))
      throw new ImageDecodeError(
        `truncated JPEG: the data (${bytes.length} bytes) ends before the image does`,
      );
    throw new ImageDecodeError(`corrupt JPEG: ${reason}`);
  }
}

function decodePng(bytes: Uint8Array, header: ImageHeader): RgbaImage {
  // pngjs caps what it inflates at the header's size, except for interlaced images: there a
  // small stream can inflate to gigabytes. Inflate it once here, capped, before pngjs does.
  if (header.progressive) checkInterlacedPngData(bytes, header);
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

function checkInterlacedPngData(bytes: Uint8Array, header: ImageHeader): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = view.getUint32(offset);
    const type = ascii(bytes, offset + 4, 4);
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  const expected = pngInflatedBytes(
    header.width,
    header.height,
    header.channels,
    header.bitDepth,
    true,
  );
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: expected });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ImageDecodeError(
        `corrupt PNG: its image data inflates to more than its ${header.width} x ${header.height} pixels need (${expected} bytes)`,
      );
    // A damaged or cut-short stream: pngjs says which.
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

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

import { open } from 'node:fs/promises';

/**
 * Size limits for what a conversion holds in memory at once, so a hostile or mistaken input (a
 * 2 GB "annotation" file, a video named .jpg) costs a problem, not the process.
 */
/** One annotation file of one image (a VOC XML, a YOLO label file, a class list). */
export const MAX_ANNOTATION_FILE_BYTES = 16 * 1024 * 1024;
/** One image file. */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

/**
 * The file's bytes, or a TooLargeError when it is over `max` (checked before reading); read into
 * the start of a buffer from `allocate` when given (one at least `size` bytes long).
 */
export async function readBounded(
  path: string,
  max: number,
  allocate?: (size: number) => ArrayBuffer,
): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > max) throw new TooLargeError(`${path} is ${size} bytes, over the limit of ${max}`);
    const buffer = allocate ? Buffer.from(allocate(size), 0, size) : Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

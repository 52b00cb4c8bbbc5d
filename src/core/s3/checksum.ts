import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CancelledError } from '../errors';

/**
 * The object metadata key that records a file's SHA-256 (as x-amz-meta-tfod-sha256). S3's own
 * ChecksumSHA256 would do for single PutObjects, but for multipart objects it is a checksum of
 * the parts' checksums, so it cannot be compared with a file's hash without the part layout; and
 * moto neither verifies nor returns it for PutObject. Metadata works the same everywhere.
 */
export const SHA256_METADATA = 'tfod-sha256';

/** Hex SHA-256 of a file, read as a stream; aborts with CancelledError. */
export function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  return hashRange(path, 'sha256', 0, undefined, signal);
}

/** Hex MD5 of bytes [start, end) of a file: what S3 reports as a part's ETag. */
export function md5Range(
  path: string,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<string> {
  return hashRange(path, 'md5', start, end, signal);
}

function hashRange(
  path: string,
  algorithm: 'sha256' | 'md5',
  start: number,
  end: number | undefined,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const hash = createHash(algorithm);
    // createReadStream's `end` is inclusive.
    const stream = createReadStream(path, {
      start,
      ...(end !== undefined ? { end: end - 1 } : {}),
    });
    const onAbort = () => stream.destroy(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    stream.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(hash.digest('hex'));
    });
  });
}

/** What HeadObject said about the object already at the key, if any. */
export interface RemoteObject {
  readonly size: number;
  readonly sha256?: string | undefined;
}

export type SkipDecision =
  | { readonly skip: true; readonly reason: 'same size and sha256' }
  | {
      readonly skip: false;
      readonly reason: 'missing' | 'different size' | 'no checksum' | 'different checksum';
    };

/**
 * Whether the object at the key already holds the file: only when the sizes agree and the object
 * carries our SHA-256 and it equals the file's. An object without the checksum (uploaded by
 * another tool) is uploaded again: size alone would let a changed file of the same size slip by.
 */
export function decideSkip(
  local: { size: number; sha256: string },
  remote: RemoteObject | undefined,
): SkipDecision {
  if (!remote) return { skip: false, reason: 'missing' };
  if (remote.size !== local.size) return { skip: false, reason: 'different size' };
  if (!remote.sha256) return { skip: false, reason: 'no checksum' };
  if (remote.sha256.toLowerCase() !== local.sha256.toLowerCase())
    return { skip: false, reason: 'different checksum' };
  return { skip: true, reason: 'same size and sha256' };
}

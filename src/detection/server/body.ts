import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

/** SageMaker real-time endpoints accept request payloads up to 6 MB. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before reading; a body that grows past it is refused as soon as it does, and the rest
 * is read and discarded so the client still gets the 413 instead of a reset connection. Rejects
 * with `signal.reason` when `signal` aborts first (the request timed out while uploading).
 */
export function readBody(
  request: IncomingMessage,
  limit: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.reject(tooLarge(limit, declared));
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onAbort = () => {
      over = true;
      chunks.length = 0;
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        done();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      done();
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    request.on('error', (error) => {
      done();
      reject(error);
    });
    request.on('aborted', () => {
      done();
      reject(new Error('the client closed the connection'));
    });
  });
}

function tooLarge(limit: number, declared?: number): HttpError {
  const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return new HttpError(
    413,
    `the request body${declared ? ` (${mb(declared)})` : ''} is over the ${mb(limit)} limit; send a smaller or more compressed image (JPEG)`,
    { connection: 'close' },
  );
}

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from '../aws/session';
import { CancelledError, UserError } from '../errors';
import { explainS3Error, isAbortError } from './errors';
import { isNotFound } from './upload';
import { formatS3Uri, parseS3Uri, type S3Location } from './uri';

export interface DownloadProgress {
  readonly key: string;
  readonly receivedBytes: number;
  /** From Content-Length; undefined when S3 did not say. */
  readonly totalBytes: number | undefined;
}

export interface DownloadOptions {
  readonly client: S3Client;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  readonly session?: AwsSessionOptions | undefined;
}

/**
 * Streams one object to a file: written to `<dest>.part` and renamed when complete, so a
 * cancelled or failed download never leaves a truncated file under the real name.
 */
export async function downloadObject(
  source: string | S3Location,
  dest: string,
  options: DownloadOptions,
): Promise<{ path: string; bytes: number }> {
  const location = typeof source === 'string' ? parseS3Uri(source) : source;
  const uri = formatS3Uri(location);
  if (location.key === '' || location.key.endsWith('/'))
    throw new UserError(`${uri} is a folder, not an object`, 'Give the full key of the object');
  if (options.signal?.aborted) throw new CancelledError();
  const partial = `${dest}.part`;
  let received = 0;
  try {
    const object = await options.client.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      { abortSignal: options.signal },
    );
    const total = object.ContentLength;
    if (!object.Body) throw new Error(`S3 returned no body for ${uri}`);
    await mkdir(dirname(dest), { recursive: true });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        options.onProgress?.({ key: location.key, receivedBytes: received, totalBytes: total });
        callback(null, chunk);
      },
    });
    await pipeline(
      object.Body as Readable,
      counter,
      createWriteStream(partial),
      options.signal ? { signal: options.signal } : {},
    );
    if (total !== undefined && received !== total)
      throw new Error(`download of ${uri} ended after ${received} of ${total} bytes`);
    await rename(partial, dest);
    return { path: dest, bytes: received };
  } catch (error) {
    await rm(partial, { force: true });
    if (isAbortError(error) || options.signal?.aborted) throw new CancelledError();
    if (isNotFound(error))
      throw new UserError(
        `${uri} does not exist`,
        'Check the S3 URI (or the training job’s output path)',
        {
          cause: error,
        },
      );
    throw explainS3Error(error, `downloading ${uri}`, options.session);
  }
}

/**
 * Downloads a training job's model artifact (S3ModelArtifacts, normally …/output/model.tar.gz)
 * into a folder, as model.tar.gz. Unpacking is the caller's (local serving) business.
 */
export function downloadModelArtifact(
  s3Uri: string,
  destFolder: string,
  options: DownloadOptions,
): Promise<{ path: string; bytes: number }> {
  const location = parseS3Uri(s3Uri);
  const name = location.key.split('/').pop() || 'model.tar.gz';
  return downloadObject(location, join(destFolder, name), options);
}

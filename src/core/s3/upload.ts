import { open, type FileHandle } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from '../aws/session';
import { CancelledError } from '../errors';
import { decideSkip, md5Range, sha256File, SHA256_METADATA, type RemoteObject } from './checksum';
import { Limiter, withRetries } from './concurrency';
import { explainS3Error, isAbortError } from './errors';
import {
  bareEtag,
  DEFAULT_PART_SIZE,
  partRanges,
  partSizeFor,
  sameLayout,
  type ListedPart,
  type PartRange,
} from './parts';
import type { PlannedFile, UploadPlan } from './plan';
import { formatS3Uri } from './uri';

/**
 * Uploads a plan's files to S3 so that a re-run after an interruption sends only what is missing:
 *
 * - a file whose object already has the same size and SHA-256 (x-amz-meta-tfod-sha256) is skipped;
 * - files above the multipart threshold go in parts; an interrupted multipart upload of the same
 *   key and part size is resumed: ListParts tells which parts S3 holds, each is checked against
 *   the file's bytes (a part's ETag is its MD5) and only missing or changed parts are sent;
 * - every request goes through one limiter (`concurrency` at a time), and every part or small
 *   object is retried with exponential backoff on errors that retrying can fix.
 *
 * Cancellation (the AbortSignal) stops in-flight requests and leaves started multipart uploads in
 * place, so the next run resumes them. S3 keeps (and bills) the parts of an upload that is never
 * completed; `abortIncompleteUploads` removes them, and a bucket lifecycle rule
 * (AbortIncompleteMultipartUpload) does it automatically.
 */

export interface UploadOptions {
  readonly client: S3Client;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Requests in flight at once, across all files (default 4). */
  readonly concurrency?: number | undefined;
  /** Multipart part size in bytes (default 8 MiB; S3's minimum of 5 MiB applies). */
  readonly partSize?: number | undefined;
  /** Files larger than this go multipart (default: the part size). */
  readonly multipartThreshold?: number | undefined;
  /** Retries per part or object after the first try (default 4). */
  readonly retries?: number | undefined;
  /** First retry delay; later ones double (default 500 ms). */
  readonly retryDelayMs?: number | undefined;
  /** For error messages that name the profile. */
  readonly session?: AwsSessionOptions | undefined;
  /**
   * Objects larger than this get their metadata rewritten by a multipart copy (UploadPartCopy)
   * instead of CopyObject, which S3 limits to 5 GB (the default; tests lower it).
   */
  readonly copyObjectLimit?: number | undefined;
}

/** S3's limit for one CopyObject: 5 GB. */
export const COPY_OBJECT_LIMIT = 5 * 1024 ** 3;

export type UploadEvent =
  | { readonly type: 'skipped'; readonly key: string; readonly bytes: number }
  | {
      readonly type: 'resumed';
      readonly key: string;
      readonly parts: number;
      readonly bytes: number;
    }
  | {
      readonly type: 'part';
      readonly key: string;
      readonly partNumber: number;
      readonly parts: number;
      readonly bytes: number;
    }
  | {
      readonly type: 'uploaded';
      readonly key: string;
      readonly bytes: number;
      readonly multipart: boolean;
    }
  | {
      readonly type: 'retry';
      readonly key: string;
      readonly partNumber?: number;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    };

export interface UploadProgress {
  readonly event: UploadEvent;
  /** All bytes of the plan. */
  readonly totalBytes: number;
  /** Bytes that needed no sending: objects already there and parts kept from an earlier try. */
  readonly skippedBytes: number;
  /** Bytes sent by this run. */
  readonly sentBytes: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface UploadResult {
  /** Keys sent by this run (whole or the missing parts). */
  readonly uploaded: readonly string[];
  /** Keys already in S3 with the same size and checksum. */
  readonly skipped: readonly string[];
  /** Keys whose interrupted multipart upload was resumed. */
  readonly resumed: readonly string[];
  readonly sentBytes: number;
  readonly skippedBytes: number;
  readonly partsSent: number;
  readonly partsReused: number;
  readonly seconds: number;
}

export async function uploadFiles(
  plan: Pick<UploadPlan, 'destination' | 'files'>,
  options: UploadOptions,
): Promise<UploadResult> {
  const started = Date.now();
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort();
  if (options.signal?.aborted) throw new CancelledError();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const run = new UploadRun(plan, options, inner.signal);
  let firstError: unknown;
  try {
    await Promise.all(
      plan.files.map((file) =>
        run.uploadFile(file).catch((error: unknown) => {
          // The first real failure stops the others; theirs are consequences.
          if (firstError === undefined && !isAbortError(error)) firstError = error;
          inner.abort();
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (firstError !== undefined) {
    const file = run.failedFile ?? '';
    throw explainS3Error(
      firstError,
      `uploading ${file} to ${formatS3Uri(plan.destination)}`,
      options.session,
    );
  }
  if (inner.signal.aborted) throw new CancelledError();
  return { ...run.totals(), seconds: (Date.now() - started) / 1000 };
}

class UploadRun {
  private readonly limiter: Limiter;
  private readonly partSize: number;
  private readonly threshold: number;
  private readonly totalBytes: number;
  private skippedBytes = 0;
  private sentBytes = 0;
  private filesDone = 0;
  private partsSent = 0;
  private partsReused = 0;
  private readonly uploaded: string[] = [];
  private readonly skipped: string[] = [];
  private readonly resumed: string[] = [];
  failedFile: string | undefined;

  constructor(
    private readonly plan: Pick<UploadPlan, 'destination' | 'files'>,
    private readonly options: UploadOptions,
    private readonly signal: AbortSignal,
  ) {
    this.limiter = new Limiter(options.concurrency ?? 4);
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.threshold = options.multipartThreshold ?? this.partSize;
    this.totalBytes = plan.files.reduce((sum, f) => sum + f.size, 0);
  }

  totals() {
    return {
      uploaded: [...this.uploaded],
      skipped: [...this.skipped],
      resumed: [...this.resumed],
      sentBytes: this.sentBytes,
      skippedBytes: this.skippedBytes,
      partsSent: this.partsSent,
      partsReused: this.partsReused,
    };
  }

  private get bucket(): string {
    return this.plan.destination.bucket;
  }

  private emit(event: UploadEvent): void {
    this.options.onProgress?.({
      event,
      totalBytes: this.totalBytes,
      skippedBytes: this.skippedBytes,
      sentBytes: this.sentBytes,
      filesDone: this.filesDone,
      filesTotal: this.plan.files.length,
    });
  }

  /** One request through the limiter, with retries; checks for cancellation before each try. */
  private request<T>(key: string, partNumber: number | undefined, task: () => Promise<T>) {
    return withRetries(
      () =>
        this.limiter.run(() => {
          if (this.signal.aborted) throw new CancelledError();
          return task();
        }),
      {
        retries: this.options.retries ?? 4,
        baseDelayMs: this.options.retryDelayMs ?? 500,
        signal: this.signal,
        isRetryable,
        onRetry: (attempt, error, delayMs) =>
          this.emit({
            type: 'retry',
            key,
            ...(partNumber !== undefined ? { partNumber } : {}),
            attempt,
            delayMs,
            error: (error as Error)?.message ?? String(error),
          }),
      },
    );
  }

  async uploadFile(file: PlannedFile): Promise<void> {
    try {
      const sha256 = await this.limiter.run(() => sha256File(file.path, this.signal));
      const remote = await this.head(file.key);
      if (decideSkip({ size: file.size, sha256 }, remote).skip) {
        this.skippedBytes += file.size;
        this.filesDone++;
        this.skipped.push(file.key);
        this.emit({ type: 'skipped', key: file.key, bytes: file.size });
        return;
      }
      const handle = await open(file.path, 'r');
      try {
        if (file.size <= this.threshold) await this.putSmall(file, sha256, handle);
        else await this.putMultipart(file, sha256, handle);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (!isAbortError(error)) this.failedFile ??= file.relative;
      throw error;
    }
  }

  private async head(key: string): Promise<RemoteObject | undefined> {
    try {
      const head = await this.request(key, undefined, () =>
        this.options.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
          abortSignal: this.signal,
        }),
      );
      return { size: head.ContentLength ?? -1, sha256: head.Metadata?.[SHA256_METADATA] };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async putSmall(file: PlannedFile, sha256: string, handle: FileHandle): Promise<void> {
    const body = await readRange(handle, 0, file.size);
    await this.request(file.key, undefined, () =>
      this.options.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: file.key,
          Body: body,
          ContentLength: body.length,
          Metadata: { [SHA256_METADATA]: sha256 },
        }),
        { abortSignal: this.signal },
      ),
    );
    this.sentBytes += file.size;
    this.filesDone++;
    this.uploaded.push(file.key);
    this.emit({ type: 'uploaded', key: file.key, bytes: file.size, multipart: false });
  }

  private async putMultipart(file: PlannedFile, sha256: string, handle: FileHandle) {
    const layout = partRanges(file.size, partSizeFor(file.size, this.partSize));
    const earlier = await this.findResumable(file, layout);
    const uploadId =
      earlier?.uploadId ??
      (
        await this.request(file.key, undefined, () =>
          this.options.client.send(
            new CreateMultipartUploadCommand({
              Bucket: this.bucket,
              Key: file.key,
              Metadata: { [SHA256_METADATA]: sha256 },
            }),
            { abortSignal: this.signal },
          ),
        )
      ).UploadId;
    if (!uploadId) throw new Error(`S3 returned no UploadId for ${file.key}`);

    const done = new Map<number, CompletedPart>(earlier?.kept.map((p) => [p.PartNumber ?? 0, p]));
    if (earlier && done.size > 0) {
      const bytes = layout
        .filter((p) => done.has(p.partNumber))
        .reduce((sum, p) => sum + p.end - p.start, 0);
      this.skippedBytes += bytes;
      this.partsReused += done.size;
      this.resumed.push(file.key);
      this.emit({ type: 'resumed', key: file.key, parts: done.size, bytes });
    }

    await Promise.all(
      layout
        .filter((part) => !done.has(part.partNumber))
        .map(async (part) => {
          const response = await this.request(file.key, part.partNumber, async () => {
            const body = await readRange(handle, part.start, part.end);
            return this.options.client.send(
              new UploadPartCommand({
                Bucket: this.bucket,
                Key: file.key,
                UploadId: uploadId,
                PartNumber: part.partNumber,
                Body: body,
                ContentLength: body.length,
              }),
              { abortSignal: this.signal },
            );
          });
          done.set(part.partNumber, {
            PartNumber: part.partNumber,
            ETag: response.ETag,
            ...checksumFields(response),
          });
          this.sentBytes += part.end - part.start;
          this.partsSent++;
          this.emit({
            type: 'part',
            key: file.key,
            partNumber: part.partNumber,
            parts: layout.length,
            bytes: part.end - part.start,
          });
        }),
    );

    await this.request(file.key, undefined, () =>
      this.options.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: file.key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...done.values()].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)),
          },
        }),
        { abortSignal: this.signal },
      ),
    );
    if (earlier) await this.fixResumedMetadata(file.key, sha256);
    for (const stale of earlier?.stale ?? []) await this.abortQuietly(file.key, stale);
    this.filesDone++;
    this.uploaded.push(file.key);
    this.emit({ type: 'uploaded', key: file.key, bytes: file.size, multipart: true });
  }

  /**
   * The newest interrupted upload of this key that was cut like this one, with the parts whose
   * bytes still match the file (MD5 = ETag). Uploads cut differently are aborted at the end.
   */
  private async findResumable(
    file: PlannedFile,
    layout: readonly PartRange[],
  ): Promise<{ uploadId: string; kept: CompletedPart[]; stale: string[] } | undefined> {
    const uploads = await this.listUploads(file.key);
    if (uploads.length === 0) return undefined;
    const stale: string[] = [];
    for (const uploadId of uploads) {
      const listed = await this.listParts(file.key, uploadId);
      if (!sameLayout(listed, layout)) {
        stale.push(uploadId);
        continue;
      }
      const kept: CompletedPart[] = [];
      for (const part of listed) {
        const range = layout[part.partNumber - 1];
        if (!range) continue;
        const md5 = await this.limiter.run(() =>
          md5Range(file.path, range.start, range.end, this.signal),
        );
        if (md5 === part.etag)
          kept.push({ PartNumber: part.partNumber, ETag: `"${part.etag}"`, ...part.checksums });
      }
      return { uploadId, kept, stale: [...stale, ...uploads.slice(uploads.indexOf(uploadId) + 1)] };
    }
    // None usable: start afresh, and clear the stale ones once the new upload is complete.
    for (const uploadId of stale) await this.abortQuietly(file.key, uploadId);
    return undefined;
  }

  /** Upload ids for exactly this key, newest first. */
  private async listUploads(key: string): Promise<string[]> {
    const found: Array<{ id: string; initiated: number }> = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.request(key, undefined, () =>
        this.options.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: key,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
          { abortSignal: this.signal },
        ),
      );
      for (const upload of page.Uploads ?? [])
        if (upload.Key === key && upload.UploadId)
          found.push({ id: upload.UploadId, initiated: upload.Initiated?.getTime() ?? 0 });
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    return found.sort((a, b) => b.initiated - a.initiated).map((u) => u.id);
  }

  private async listParts(key: string, uploadId: string): Promise<ListedPart[]> {
    const parts: ListedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.request(key, undefined, () =>
        this.options.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
          { abortSignal: this.signal },
        ),
      );
      for (const part of page.Parts ?? [])
        if (part.PartNumber !== undefined)
          parts.push({
            partNumber: part.PartNumber,
            size: part.Size ?? -1,
            etag: bareEtag(part.ETag),
            checksums: checksumFields(part),
          });
      if (!page.IsTruncated) break;
      marker = page.NextPartNumberMarker;
    }
    return parts;
  }

  /**
   * A resumed upload carries the metadata of the run that created it; if the file changed since
   * (its changed parts were sent again), the recorded SHA-256 is stale and is rewritten in place.
   */
  private async fixResumedMetadata(key: string, sha256: string): Promise<void> {
    const head = await this.head(key);
    if (head?.sha256 === sha256) return;
    const copySource = `${this.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
    const metadata = { [SHA256_METADATA]: sha256 };
    if (head && head.size > (this.options.copyObjectLimit ?? COPY_OBJECT_LIMIT)) {
      await this.copyInParts(key, head.size, copySource, metadata);
      return;
    }
    await this.request(key, undefined, () =>
      this.options.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: copySource,
          MetadataDirective: 'REPLACE',
          Metadata: metadata,
        }),
        { abortSignal: this.signal },
      ),
    );
  }

  /** The object copied onto itself part by part, with new metadata (S3's way past 5 GB). */
  private async copyInParts(
    key: string,
    size: number,
    copySource: string,
    metadata: Record<string, string>,
  ): Promise<void> {
    const created = await this.request(key, undefined, () =>
      this.options.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, Metadata: metadata }),
        { abortSignal: this.signal },
      ),
    );
    const uploadId = created.UploadId!;
    try {
      const parts: { PartNumber: number; ETag: string | undefined }[] = [];
      for (const range of partRanges(size, partSizeFor(size, this.partSize))) {
        const copied = await this.request(key, undefined, () =>
          this.options.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: range.partNumber,
              CopySource: copySource,
              CopySourceRange: `bytes=${range.start}-${range.end - 1}`,
            }),
            { abortSignal: this.signal },
          ),
        );
        parts.push({ PartNumber: range.partNumber, ETag: copied.CopyPartResult?.ETag });
      }
      await this.request(key, undefined, () =>
        this.options.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
          { abortSignal: this.signal },
        ),
      );
    } catch (error) {
      await this.abortQuietly(key, uploadId);
      throw error;
    }
  }

  private async abortQuietly(key: string, uploadId: string): Promise<void> {
    await this.options.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
  }
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(end - start);
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, start + offset);
    if (bytesRead === 0)
      throw new Error(`the file became shorter while uploading (${start + offset} bytes)`);
    offset += bytesRead;
  }
  return buffer;
}

const CHECKSUM_FIELDS = [
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
  'ChecksumSHA1',
  'ChecksumSHA256',
] as const;

/** The part checksums S3 returned: CompleteMultipartUpload wants them back when it computed them. */
function checksumFields(source: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of CHECKSUM_FIELDS) {
    const value = (source as Record<string, unknown>)[field];
    if (typeof value === 'string' && value) out[field] = value;
  }
  return out;
}

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}

/** Network failures, throttling and server errors are worth another try; refusals are not. */
export function isRetryable(error: unknown): boolean {
  if (isAbortError(error)) return false;
  const name = (error as { name?: string }).name ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (/Credentials|ExpiredToken|InvalidAccessKeyId|SignatureDoesNotMatch/.test(name)) return false;
  if (['NoSuchBucket', 'NoSuchUpload', 'AccessDenied', 'InvalidBucketName'].includes(name))
    return false;
  if (status === undefined) return true;
  if (status === 408 || status === 429 || status >= 500) return true;
  return name === 'RequestTimeout' || name === 'SlowDown';
}

/** Aborts the unfinished multipart uploads under a prefix (what an interrupted run leaves). */
export async function abortIncompleteUploads(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const aborted: string[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
      { abortSignal: signal },
    );
    for (const upload of page.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId) continue;
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: upload.Key,
          UploadId: upload.UploadId,
        }),
        { abortSignal: signal },
      );
      aborted.push(upload.Key);
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
  return aborted;
}

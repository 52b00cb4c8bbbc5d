// The image files of a conversion: read, hashed (SHA-256, the record's image/key/sha256) and
// checksummed (CRC-32C, a piece of the record's TFRecord checksum) in worker threads, so that on
// a machine with two cores or more the conversion's main thread only builds and writes records.
// Where no worker can start (its script missing, a runtime without worker threads) the same work
// is done on the main thread instead, and the conversion is only slower. Images go to a worker a
// few at a time, and come back so: a message between threads costs about 55 us of CPU (the
// wake-up of the other thread above all), as much as reading a 240 KiB image. The buffers the
// images are read into go round: once a record is written its image's buffer is released to the
// reader and the next image is read into it, so a conversion allocates a few buffers, not one a
// file (a fresh 240 KiB buffer per image cost page faults and a garbage collection every ~90).
import { createHash, webcrypto } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { crc32c, rememberCrc32c } from '../records/crc32c';
import { readBounded, TooLargeError } from './files';

/** An image file's bytes with their SHA-256 (hex), or why there are none. */
export type LoadedImage =
  { bytes: Buffer; path: string; sha256: string } | { missing: true } | { unreadable: string };

/** What a worker sends once it is loaded and listening. */
export const WORKER_READY = 'ready';

/** What a worker says of one image: the bytes' ArrayBuffer is transferred, not copied. */
type ImageAnswer =
  | { buffer: ArrayBuffer; length: number; path: string; sha256: string; crc: number }
  | { missing: true }
  | { unreadable: string };

/** A worker's answer to a request, an image's answer for each of its images, in order. */
interface WorkerAnswer {
  readonly id: number;
  readonly images: readonly ImageAnswer[];
}

/** Not from a worker: the pool failed while this request waited; its images are read here. */
const FAILED = 'failed';

export interface WorkerRequest {
  readonly id: number;
  /** For each image, the paths it may be at (the first that is there is read). */
  readonly images: readonly (readonly string[])[];
  readonly max: number;
  /** Released buffers handed back (transferred) for the worker to read into. */
  readonly spares: readonly ArrayBuffer[];
}

/** Buffers are allocated in steps of this, so images of about the same size fit one another's. */
const BUFFER_STEP = 64 * 1024;
/** Released buffers kept for reuse, on the main thread and in each worker. */
const MAX_SPARES = 16;
/** A buffer larger than this (an outsized image's) is not kept: it would hold its memory to the end. */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;

/**
 * Released buffers, largest last. `take` gives one that holds `size` bytes (the smallest that
 * does) or a new one; `keep` holds one for later, dropping the smallest when there are too many.
 * Buffers are never shared: one is in a list here, or lent out with an image's bytes in it.
 */
class SpareBuffers {
  private readonly buffers: ArrayBuffer[] = [];

  take(size: number): ArrayBuffer {
    const i = this.buffers.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.buffers.splice(i, 1)[0] as ArrayBuffer;
    return new ArrayBuffer(Math.max(BUFFER_STEP, Math.ceil(size / BUFFER_STEP) * BUFFER_STEP));
  }

  keep(buffer: ArrayBuffer): void {
    if (buffer.byteLength > MAX_SPARE_BYTES) return;
    const at = this.buffers.findIndex((b) => b.byteLength > buffer.byteLength);
    this.buffers.splice(at < 0 ? this.buffers.length : at, 0, buffer);
    if (this.buffers.length > MAX_SPARES) this.buffers.shift();
  }

  /** The largest, to hand to a worker (it reads most images into it). */
  pop(): ArrayBuffer | undefined {
    return this.buffers.pop();
  }
}

/** The file's bytes read into a buffer from `spares` (synchronously, so: on a thread of its own). */
function readInto(
  fd: number,
  size: number,
  spares: SpareBuffers,
): { buffer: ArrayBuffer; length: number } {
  const buffer = spares.take(size);
  const bytes = new Uint8Array(buffer, 0, size);
  let length = 0;
  try {
    while (length < size) {
      const read = readSync(fd, bytes, length, size - length, length);
      if (read === 0) break;
      length += read;
    }
  } catch (error) {
    spares.keep(buffer);
    throw error;
  }
  return { buffer, length };
}

/** This worker's spare buffers (a module of its own in each worker thread). */
const workerSpares = new SpareBuffers();

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function unreadable(candidate: string, error: unknown): { unreadable: string } {
  if (error instanceof TooLargeError) return { unreadable: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  return { unreadable: `${candidate} cannot be read (${code ?? (error as Error).message})` };
}

/** The worker's side: each image of the request read, hashed and checksummed, in order. */
export function answerRequest({ id, images, max, spares }: WorkerRequest): {
  answer: WorkerAnswer;
  transfer: ArrayBuffer[];
} {
  for (const spare of spares) workerSpares.keep(spare);
  const answers = images.map((candidates) => answerImage(candidates, max));
  const transfer = answers.flatMap((a) => ('buffer' in a ? [a.buffer] : []));
  return { answer: { id, images: answers }, transfer };
}

/** The first candidate that is there, read whole (synchronously: a thread of its own). */
function answerImage(candidates: readonly string[], max: number): ImageAnswer {
  for (const candidate of candidates) {
    let fd: number | undefined;
    try {
      fd = openSync(candidate, 'r');
      const { size } = fstatSync(fd);
      if (size > max)
        throw new TooLargeError(`${candidate} is ${size} bytes, over the limit of ${max}`);
      const { buffer, length } = readInto(fd, size, workerSpares);
      const data = new Uint8Array(buffer, 0, length);
      return {
        buffer,
        length,
        path: candidate,
        sha256: createHash('sha256').update(data).digest('hex'),
        crc: crc32c(data),
      };
    } catch (error) {
      if (NOT_THERE.has((error as NodeJS.ErrnoException).code ?? '')) continue;
      return unreadable(candidate, error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { missing: true };
}

/** The same on the main thread, for when no worker runs: asynchronous reads, hashed off-thread. */
async function readHere(
  candidates: readonly string[],
  max: number,
  spares: SpareBuffers,
): Promise<LoadedImage> {
  for (const candidate of candidates) {
    try {
      const bytes = await readBounded(candidate, max, (size) => spares.take(size));
      const digest = await webcrypto.subtle.digest('SHA-256', bytes);
      return { bytes, path: candidate, sha256: Buffer.from(digest).toString('hex') };
    } catch (error) {
      if (NOT_THERE.has((error as NodeJS.ErrnoException).code ?? '')) continue;
      return unreadable(candidate, error);
    }
  }
  return { missing: true };
}

/**
 * The worker program beside the bundle that runs this code (dist/datasetWorker.js), or, run from
 * source under tsx (tests, benchmarks), this folder's imageFilesWorker.ts.
 */
function workerScript(): string | undefined {
  return [join(__dirname, 'datasetWorker.js'), join(__dirname, 'imageFilesWorker.ts')].find(
    (path) => existsSync(path),
  );
}

/**
 * Reads images in up to `threads` worker threads (default: the CPUs, at most 4). A worker takes a
 * while to start (a fresh V8 isolate loading its script: 50-100 ms bundled, a few hundred under
 * tsx); until the first one is ready the images are read on the calling thread, so a conversion
 * never waits for its threads and a small one may finish before they are up.
 */
export class ImageFileReader {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (answer: WorkerAnswer | typeof FAILED) => void>();
  private readonly idle: Worker[] = [];
  private readonly queue: WorkerRequest[] = [];
  private nextId = 1;
  private broken = false;
  /** Released buffers, handed to the next reads. */
  private readonly spares = new SpareBuffers();
  /** The buffers of images this reader handed out and that were not released yet. */
  private readonly lent = new WeakSet<ArrayBuffer>();
  /** Resolves when every worker is ready (or the pool failed or was closed). */
  private readonly started: Promise<void>;
  private allReady: () => void = () => undefined;
  private ready = 0;

  constructor(
    private readonly max: number,
    threads: number | undefined = undefined,
  ) {
    const count = threads ?? Math.min(4, availableParallelism());
    const script = count > 0 ? workerScript() : undefined;
    this.started = new Promise<void>((resolve) => (this.allReady = resolve));
    if (!script) {
      this.allReady();
      return;
    }
    for (let i = 0; i < count; i++) {
      let worker: Worker;
      try {
        // From source (tests, benchmarks under tsx) the worker needs tsx's CommonJS hook: the
        // parent's --import hooks do not reach worker threads.
        worker = new Worker(
          script,
          script.endsWith('.ts') ? { execArgv: ['--require', 'tsx/cjs'] } : {},
        );
      } catch {
        this.broken = true;
        this.allReady();
        break;
      }
      worker.on('message', (answer: WorkerAnswer | typeof WORKER_READY) => {
        if (answer === WORKER_READY) {
          if (this.broken || !this.workers.includes(worker)) return;
          this.idle.push(worker);
          if (++this.ready === this.workers.length) this.allReady();
          this.pump();
          return;
        }
        const settle = this.pending.get(answer.id);
        this.pending.delete(answer.id);
        this.idle.push(worker);
        this.pump();
        settle?.(answer);
      });
      // A worker that fails takes the pool out of use: what it held is read here again.
      worker.on('error', () => this.fail());
      this.workers.push(worker);
    }
  }

  /** Resolves once every worker thread is ready to read (at once when there are none). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** Worker threads reading now (0: everything is read on the calling thread). */
  get threads(): number {
    return this.broken ? 0 : this.workers.length;
  }

  /** The first of `candidates` that is there, read with its SHA-256; its CRC-32C is remembered. */
  read(candidates: readonly string[]): Promise<LoadedImage> {
    return this.readMany([candidates])[0] as Promise<LoadedImage>;
  }

  /**
   * The same for several images at once, sent to one worker in one message (their answers come
   * back together): a promise for each, in order.
   */
  readMany(images: readonly (readonly string[])[]): Promise<LoadedImage>[] {
    // No worker is ready yet (or none runs): read here rather than wait.
    if (this.broken || this.ready === 0)
      return images.map((candidates) => this.lend(this.readHere(candidates)));
    const spares: ArrayBuffer[] = [];
    for (let i = 0; i < images.length; i++) {
      const spare = this.spares.pop();
      if (spare) spares.push(spare);
    }
    const request: WorkerRequest = { id: this.nextId++, images, max: this.max, spares };
    const answered = new Promise<WorkerAnswer | typeof FAILED>((resolve) => {
      this.pending.set(request.id, resolve);
      this.queue.push(request);
      this.pump();
    });
    return images.map(async (candidates, i): Promise<LoadedImage> => {
      const answer = await answered;
      if (answer === FAILED) return this.lend(this.readHere(candidates));
      const image = answer.images[i] as ImageAnswer;
      if ('buffer' in image) {
        const bytes = Buffer.from(image.buffer, 0, image.length);
        rememberCrc32c(bytes, image.crc);
        this.lent.add(image.buffer);
        return { bytes, path: image.path, sha256: image.sha256 };
      }
      return 'missing' in image ? { missing: true } : { unreadable: image.unreadable };
    });
  }

  /**
   * Gives an image's buffer back for the next reads: call it once nothing uses `bytes` any more
   * (its record is written, or the image was skipped). The buffer is detached from `bytes` (which
   * is empty after), so a use too late finds nothing rather than another image's bytes. Buffers
   * this reader did not hand out are left alone.
   */
  release(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.lent.has(buffer)) return;
    this.lent.delete(buffer);
    this.spares.keep(structuredClone(buffer, { transfer: [buffer] }));
  }

  private readHere(candidates: readonly string[]): Promise<LoadedImage> {
    return readHere(candidates, this.max, this.spares);
  }

  private async lend(loading: Promise<LoadedImage>): Promise<LoadedImage> {
    const loaded = await loading;
    if ('bytes' in loaded) this.lent.add(loaded.bytes.buffer as ArrayBuffer);
    return loaded;
  }

  /** Stops the workers; call it when the conversion ends, however it ends. */
  async close(): Promise<void> {
    this.ready = 0;
    this.idle.length = 0;
    this.allReady();
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const request = this.queue.shift() as WorkerRequest;
      worker.postMessage(request, [...request.spares]);
    }
  }

  private fail(): void {
    this.broken = true;
    for (const settle of this.pending.values()) settle(FAILED);
    this.pending.clear();
    this.queue.length = 0;
    void this.close();
  }
}

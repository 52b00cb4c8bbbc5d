// The image files of a conversion: read, hashed (SHA-256, the record's image/key/sha256) and
// checksummed (CRC-32C, a piece of the record's TFRecord checksum) in worker threads, so that on
// a machine with two cores or more the conversion's main thread only builds and writes records.
// Where no worker can start (its script missing, a runtime without worker threads) the same work
// is done on the main thread instead, and the conversion is only slower.
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

/** What a worker sends back: the bytes' ArrayBuffer is transferred, not copied. */
type WorkerAnswer =
  | { id: number; buffer: ArrayBuffer; length: number; path: string; sha256: string; crc: number }
  | { id: number; missing: true }
  | { id: number; unreadable: string }
  /** Not from a worker: the pool failed while this one waited; it is read here instead. */
  | { id: number; failed: true };

export interface WorkerRequest {
  readonly id: number;
  readonly candidates: readonly string[];
  readonly max: number;
}

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function unreadable(candidate: string, error: unknown): { unreadable: string } {
  if (error instanceof TooLargeError) return { unreadable: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  return { unreadable: `${candidate} cannot be read (${code ?? (error as Error).message})` };
}

/** The worker's side: the first candidate that is there, read whole (synchronously: a thread of its own). */
export function answerRequest({ id, candidates, max }: WorkerRequest): {
  answer: WorkerAnswer;
  transfer: ArrayBuffer[];
} {
  for (const candidate of candidates) {
    let fd: number | undefined;
    try {
      fd = openSync(candidate, 'r');
      const { size } = fstatSync(fd);
      if (size > max)
        throw new TooLargeError(`${candidate} is ${size} bytes, over the limit of ${max}`);
      // Its own ArrayBuffer (not the pool's), so that it can be transferred.
      const bytes = Buffer.allocUnsafeSlow(size);
      let length = 0;
      while (length < size) {
        const read = readSync(fd, bytes, length, size - length, length);
        if (read === 0) break;
        length += read;
      }
      const data = bytes.subarray(0, length);
      const answer: WorkerAnswer = {
        id,
        buffer: bytes.buffer as ArrayBuffer,
        length,
        path: candidate,
        sha256: createHash('sha256').update(data).digest('hex'),
        crc: crc32c(data),
      };
      return { answer, transfer: [bytes.buffer as ArrayBuffer] };
    } catch (error) {
      if (NOT_THERE.has((error as NodeJS.ErrnoException).code ?? '')) continue;
      return { answer: { id, ...unreadable(candidate, error) }, transfer: [] };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { answer: { id, missing: true }, transfer: [] };
}

/** The same on the main thread, for when no worker runs: asynchronous reads, hashed off-thread. */
async function readHere(candidates: readonly string[], max: number): Promise<LoadedImage> {
  for (const candidate of candidates) {
    try {
      const bytes = await readBounded(candidate, max);
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

/** Reads images in up to `threads` worker threads (default: the CPUs, at most 4). */
export class ImageFileReader {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (answer: WorkerAnswer) => void>();
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ request: WorkerRequest }> = [];
  private nextId = 1;
  private broken = false;

  constructor(
    private readonly max: number,
    threads: number | undefined = undefined,
  ) {
    const count = threads ?? Math.min(4, availableParallelism());
    const script = count > 0 ? workerScript() : undefined;
    if (!script) return;
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
        break;
      }
      worker.on('message', (answer: WorkerAnswer) => {
        const settle = this.pending.get(answer.id);
        this.pending.delete(answer.id);
        this.idle.push(worker);
        this.pump();
        settle?.(answer);
      });
      // A worker that fails takes the pool out of use: what it held is read here again.
      worker.on('error', () => this.fail());
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Worker threads reading now (0: everything is read on the calling thread). */
  get threads(): number {
    return this.broken ? 0 : this.workers.length;
  }

  /** The first of `candidates` that is there, read with its SHA-256; its CRC-32C is remembered. */
  read(candidates: readonly string[]): Promise<LoadedImage> {
    if (this.broken || this.workers.length === 0) return readHere(candidates, this.max);
    const request = { id: this.nextId++, candidates, max: this.max };
    return new Promise<WorkerAnswer>((resolve) => {
      this.pending.set(request.id, resolve);
      this.queue.push({ request });
      this.pump();
    }).then((answer) => {
      if ('buffer' in answer) {
        const bytes = Buffer.from(answer.buffer, 0, answer.length);
        rememberCrc32c(bytes, answer.crc);
        return { bytes, path: answer.path, sha256: answer.sha256 };
      }
      if ('failed' in answer) return readHere(candidates, this.max);
      return 'missing' in answer ? { missing: true } : { unreadable: answer.unreadable };
    });
  }

  /** Stops the workers; call it when the conversion ends, however it ends. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const { request } = this.queue.shift() as { request: WorkerRequest };
      worker.postMessage(request);
    }
  }

  private fail(): void {
    this.broken = true;
    for (const [id, settle] of this.pending) settle({ id, failed: true });
    this.pending.clear();
    this.queue.length = 0;
    void this.close();
  }
}

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import {
  decodeImage,
  ImageDecodeError,
  ModelFolderError,
  type Prediction,
  type RgbaImage,
} from '../../detection';
import { readBounded, MAX_IMAGE_FILE_BYTES, TooLargeError } from '../dataset/files';
import { CancelledError, errorMessage, UserError } from '../errors';
import {
  BatchTally,
  formatLine,
  isImageName,
  PARTIAL_RESULTS_FILE,
  PARTIAL_SUMMARY_FILE,
  RESULTS_FILE,
  SUMMARY_FILE,
  type BatchLine,
  type BatchSummary,
} from './results';

/** Images read ahead while one is detected: the runtime runs one graph at a time. */
export const DEFAULT_LOCAL_CONCURRENCY = 2;

export interface LocalBatchOptions {
  readonly input: string;
  readonly output: string;
  readonly recursive?: boolean;
  /** The model, for the summary. */
  readonly model: string;
  readonly threshold: number;
  readonly detect: (image: RgbaImage, signal: AbortSignal) => Promise<Prediction[]>;
  readonly names?: ReadonlyMap<number, string>;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, failed: number) => void;
}

export interface LocalBatchResult {
  readonly summary: BatchSummary;
  readonly resultsPath: string;
  readonly summaryPath: string;
}

/**
 * Every JPEG and PNG in a folder through the model, one JSON line each into `results.jsonl` and
 * the counts into `summary.json`. Lines are written in the images' (sorted) order to a temporary
 * name and renamed at the end, so `results.jsonl` always means a complete run. A bad image is an
 * error line; a model that cannot run stops the batch. Cancelled or stopped by an error, what was
 * done is kept as `results.partial.jsonl` and `summary.partial.json` (`complete: false`), and the
 * CancelledError or the error is thrown on.
 */
export async function runLocalBatch(options: LocalBatchOptions): Promise<LocalBatchResult> {
  const input = resolve(options.input);
  const output = resolve(options.output);
  const images = await listImages(input, options.recursive ?? false);
  if (images.length === 0)
    throw new UserError(
      `${input} has no JPEG or PNG images${options.recursive ? '' : ' (subfolders were not searched)'}`,
      options.recursive ? 'Choose a folder of images' : 'Add --recursive to search subfolders',
    );
  await mkdir(output, { recursive: true });
  // This run replaces whatever an earlier one left, complete or not.
  for (const name of [RESULTS_FILE, SUMMARY_FILE, PARTIAL_RESULTS_FILE, PARTIAL_SUMMARY_FILE])
    await rm(join(output, name), { force: true });
  const temporary = join(output, `.${RESULTS_FILE}.${process.pid}-${Date.now()}.tmp`);
  const stream = createWriteStream(temporary, { flags: 'wx' });
  // A write's callback gets the error too; without a listener it would also crash the process.
  stream.on('error', () => undefined);
  const tally = new BatchTally();
  const run = { model: options.model, input, output, threshold: options.threshold };
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  try {
    await detectAll(images, input, options, controller.signal, (line) => {
      tally.add(line);
      return write(stream, formatLine(line));
    });
    await close(stream);
    const resultsPath = join(output, RESULTS_FILE);
    await rename(temporary, resultsPath);
    const summary = tally.summary({ ...run, complete: true }, options.names);
    const summaryPath = join(output, SUMMARY_FILE);
    await writeJsonAtomically(summaryPath, summary);
    return { summary, resultsPath, summaryPath };
  } catch (error) {
    stop();
    await close(stream).catch(() => undefined);
    await rename(temporary, join(output, PARTIAL_RESULTS_FILE)).catch(() => undefined);
    await writeJsonAtomically(
      join(output, PARTIAL_SUMMARY_FILE),
      tally.summary({ ...run, complete: false }, options.names),
    ).catch(() => undefined);
    throw options.signal?.aborted ? new CancelledError() : error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

/**
 * Runs up to `concurrency` images at once and hands their lines to `emit` in input order (a
 * finished image waits for the ones before it, so at most `concurrency` lines are held).
 */
async function detectAll(
  images: readonly string[],
  input: string,
  options: LocalBatchOptions,
  signal: AbortSignal,
  emit: (line: BatchLine) => Promise<void>,
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_LOCAL_CONCURRENCY);
  const done = new Map<number, BatchLine>();
  let next = 0;
  let written = 0;
  let failed = 0;
  let flushing = Promise.resolve();
  const flush = async () => {
    while (done.has(written)) {
      const line = done.get(written)!;
      done.delete(written);
      written++;
      if ('error' in line) failed++;
      await emit(line);
      options.onProgress?.(written, images.length, failed);
    }
  };
  const worker = async () => {
    while (next < images.length) {
      if (signal.aborted) throw new CancelledError();
      const index = next++;
      done.set(index, await detectOne(images[index]!, input, options, signal));
      flushing = flushing.then(flush);
      await flushing;
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, images.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  await flushing.catch(() => undefined);
  if (failure) throw failure.reason;
}

async function detectOne(
  relativePath: string,
  input: string,
  options: LocalBatchOptions,
  signal: AbortSignal,
): Promise<BatchLine> {
  const image = relativePath;
  let bytes: Buffer;
  try {
    bytes = await readBounded(join(input, ...relativePath.split('/')), MAX_IMAGE_FILE_BYTES);
  } catch (error) {
    if (error instanceof TooLargeError)
      return { image, error: `the file is over ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MiB` };
    return { image, error: `cannot read it: ${errorMessage(error)}` };
  }
  let decoded: RgbaImage;
  try {
    decoded = decodeImage(bytes);
  } catch (error) {
    if (error instanceof ImageDecodeError) return { image, error: error.message };
    return { image, error: `cannot decode it: ${errorMessage(error)}` };
  }
  try {
    return { image, prediction: await options.detect(decoded, signal) };
  } catch (error) {
    // A model that cannot run fails every image: stop rather than write N identical errors.
    if (error instanceof ModelFolderError || signal.aborted) throw error;
    return { image, error: `detection failed: ${errorMessage(error)}` };
  }
}

/** The JPEG and PNG files below `folder`, as sorted paths relative to it with '/' separators. */
export async function listImages(folder: string, recursive: boolean): Promise<string[]> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UserError(
      `${folder} is not a folder`,
      'Give a folder of JPEG or PNG images (or an s3:// prefix with --target sagemaker)',
    );
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && recursive && !entry.name.startsWith('.')) await walk(path);
      else if (entry.isFile() && isImageName(entry.name))
        found.push(relative(folder, path).split(sep).join('/'));
    }
  };
  await walk(folder);
  return found.sort();
}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolvePromise, reject) =>
    stream.write(text, (error) => (error ? reject(error) : resolvePromise())),
  );
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (stream.closed) return resolvePromise();
    stream.end((error?: Error | null) => (error ? reject(error) : resolvePromise()));
  });
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

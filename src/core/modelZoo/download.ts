// Downloading a zoo archive into the cache that every project shares: resumed with an HTTP Range
// request where a previous download stopped (a `.part` file), cancellable, with progress, and
// checked before it is used. The zoo publishes no checksums, so the check is what the bytes can
// prove: the length the server announced, and a gzip stream that decodes to its end (zlib checks
// the CRC-32 and length in the gzip trailer). A verified archive gets a `.sha256` beside it, so a
// cached copy damaged later is noticed and fetched again.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CancelledError, UserError } from '../errors';
import { DEFAULT_MODEL_ZOO_URL, type ZooModel } from './catalogue';

export interface DownloadProgress {
  /** Bytes of the archive on disk so far (a resumed download starts above 0). */
  readonly received: number;
  /** The archive's size, when the server says it. */
  readonly total: number | undefined;
  /** Where this download resumed, 0 when it started afresh. */
  readonly resumedFrom: number;
}

export interface DownloadOptions {
  /** The zoo's base address (the setting, the variable, or the zoo's own). */
  readonly baseUrl?: string | undefined;
  /** The shared cache folder (default: `defaultCacheDir()`). */
  readonly cacheDir?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Attempts in all when the connection drops mid-way (each resumes where the last stopped). */
  readonly attempts?: number | undefined;
  /** An attempt that receives nothing for this long is dropped and resumed (default 60 s). */
  readonly stallTimeoutMs?: number | undefined;
}

const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** `tfod.modelZoo.url` or `TFOD_MODEL_ZOO_URL` when set, else the zoo's own address. */
export function modelZooBaseUrl(setting?: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = setting?.trim() || env.TFOD_MODEL_ZOO_URL?.trim() || DEFAULT_MODEL_ZOO_URL;
  if (!/^https?:\/\/[^/]/i.test(value))
    throw new UserError(
      `the model zoo address '${value}' is not an http(s) URL`,
      'Set tfod.modelZoo.url or TFOD_MODEL_ZOO_URL to the base of a zoo mirror, e.g. http://mirror.example/models/object_detection (it keeps the zoo layout, tf2/20200711/<name>.tar.gz below it)',
    );
  return value.replace(/\/+$/, '');
}

/** The cache shared by all projects: `$XDG_CACHE_HOME/tfod-sagemaker/model-zoo` or `~/.cache/...`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(env.HOME || homedir(), '.cache');
  return join(base, 'tfod-sagemaker', 'model-zoo');
}

export function archiveUrl(model: ZooModel, baseUrl: string): string {
  return `${baseUrl}/${model.archivePath}`;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    createReadStream(path),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    }),
    ...(signal ? [{ signal }] : []),
  );
  return hash.digest('hex');
}

/** Whether the file is a gzip stream that decodes to its end (its trailer's CRC-32 and size). */
async function gzipProblem(path: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    await pipeline(
      createReadStream(path),
      createGunzip(),
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
      ...(signal ? [{ signal }] : []),
    );
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    return (error as Error).message;
  }
}

/**
 * The archive of `model` in the cache, downloaded (or resumed) when it is not there yet or its
 * checksum no longer matches. Returns the archive's path.
 */
export async function downloadZooArchive(
  model: ZooModel,
  options: DownloadOptions = {},
): Promise<string> {
  const baseUrl = modelZooBaseUrl(options.baseUrl);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const archive = join(cacheDir, 'archives', model.archivePath);
  const checksum = `${archive}.sha256`;
  const part = `${archive}.part`;
  const signal = options.signal;
  await mkdir(dirname(archive), { recursive: true });

  if ((await sizeOf(archive)) !== undefined) {
    const recorded = await readFile(checksum, 'utf8').catch(() => '');
    if (recorded.trim() !== '' && recorded.trim() === (await sha256Of(archive, signal))) {
      const size = (await sizeOf(archive)) ?? 0;
      options.onProgress?.({ received: size, total: size, resumedFrom: size });
      return archive;
    }
    // Damaged or never verified: fetch it again.
    await rm(archive, { force: true });
  }

  const url = archiveUrl(model, baseUrl);
  const attempts = Math.max(1, options.attempts ?? 3);
  let total: number | undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new CancelledError();
    try {
      total = await fetchInto(url, part, options);
      break;
    } catch (error) {
      if (error instanceof CancelledError || error instanceof UserError || attempt >= attempts)
        throw error instanceof CancelledError || error instanceof UserError
          ? error
          : new UserError(
              `the download of ${url} stopped at ${(await sizeOf(part)) ?? 0} bytes: ${(error as Error).message}`,
              'Run the same command again: it resumes where it stopped',
              { cause: error },
            );
    }
  }

  const size = (await sizeOf(part)) ?? 0;
  if (total !== undefined && size !== total) {
    throw new UserError(
      `the download of ${url} has ${size} bytes but the server announced ${total}`,
      'Run the same command again: it resumes where it stopped',
    );
  }
  const broken = await gzipProblem(part, signal);
  if (broken) {
    await rm(part, { force: true });
    throw new UserError(
      `${url} is not an intact .tar.gz (${broken}); the damaged download was removed`,
      'Run the same command again to download it afresh; if it fails again, the mirror (tfod.modelZoo.url, TFOD_MODEL_ZOO_URL) serves a damaged file',
    );
  }
  await rename(part, archive);
  await writeFile(checksum, `${await sha256Of(archive, signal)}\n`);
  return archive;
}

/**
 * Appends the rest of `url` to `part` (a Range request from its current size). Returns the
 * archive's whole size when the server says it.
 */
async function fetchInto(
  url: string,
  part: string,
  options: DownloadOptions,
  restarted = false,
): Promise<number | undefined> {
  const user = options.signal;
  // A server that stops sending without closing would hold the download forever: an attempt
  // with no bytes for stallTimeoutMs is aborted (and resumed by the caller's next attempt).
  const stall = new AbortController();
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const alive = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  const signal = user ? AbortSignal.any([user, stall.signal]) : stall.signal;
  const stalled = (): Error =>
    new Error(
      `no data from the server for ${stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`}`,
    );
  try {
    return await fetchAttempt(url, part, options, signal, user, stalled, alive, restarted);
  } finally {
    clearTimeout(timer);
  }
}

async function fetchAttempt(
  url: string,
  part: string,
  options: DownloadOptions,
  signal: AbortSignal,
  user: AbortSignal | undefined,
  stalled: () => Error,
  alive: () => void,
  restarted: boolean,
): Promise<number | undefined> {
  const start = (await sizeOf(part)) ?? 0;
  const again = async (): Promise<number | undefined> => {
    if (restarted)
      throw new UserError(
        `the server of ${url} does not answer range requests consistently`,
        'Remove the partial download from the cache and try again, or use another mirror (tfod.modelZoo.url, TFOD_MODEL_ZOO_URL)',
      );
    await rm(part, { force: true });
    return fetchInto(url, part, options, true);
  };
  let response: Response;
  try {
    response = await fetch(url, {
      headers: start > 0 ? { Range: `bytes=${start}-` } : {},
      signal,
    });
  } catch (error) {
    if (user?.aborted) throw new CancelledError();
    if (signal.aborted) throw stalled();
    throw new UserError(
      `cannot reach the model zoo at ${url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
      'Check the network, or point tfod.modelZoo.url (TFOD_MODEL_ZOO_URL for the CLI) at a reachable mirror that keeps the zoo layout',
      { cause: error },
    );
  }
  let offset = 0;
  let total: number | undefined;
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== start) {
      // A range we did not ask for: start again from the beginning (once).
      await response.body?.cancel();
      return again();
    }
    offset = start;
    total = range[3] === '*' ? undefined : Number(range[3]);
  } else if (response.status === 416 && start > 0) {
    // The part is as long as (or longer than) the file: it may be whole; the checks decide.
    await response.body?.cancel();
    const whole = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (whole !== undefined && Number(whole) === start) return start;
    return again();
  } else if (response.ok) {
    const length = response.headers.get('content-length');
    total = length !== null ? Number(length) : undefined;
  } else {
    await response.body?.cancel();
    throw new UserError(
      `the model zoo answered ${response.status} ${response.statusText} for ${url}`,
      response.status === 404
        ? 'Check the model name (tfod init --list) and that the mirror in tfod.modelZoo.url / TFOD_MODEL_ZOO_URL keeps the zoo layout (tf2/<date>/<name>.tar.gz)'
        : 'Try again later, or use a mirror (tfod.modelZoo.url, TFOD_MODEL_ZOO_URL)',
    );
  }
  if (!response.body) throw new Error('the response has no body');
  let received = offset;
  options.onProgress?.({ received, total, resumedFrom: offset });
  const file = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
  try {
    await pipeline(
      response.body,
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          alive();
          received += chunk.length;
          options.onProgress?.({ received, total, resumedFrom: offset });
          yield chunk;
        }
      },
      file,
      { signal },
    );
  } catch (error) {
    // The part stays: the next attempt (or command) resumes from it.
    if (user?.aborted) throw new CancelledError();
    if (signal.aborted) throw stalled();
    throw error;
  }
  return total;
}

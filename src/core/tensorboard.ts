// TensorBoard on a training job's event files: where a job keeps them (the local job folder, or
// the S3 prefix of SageMaker's TensorBoardOutputConfig, copied down to a cache folder and kept up
// to date while a job runs), which `tensorboard` to run (the one configured, the one on PATH, or
// one installed on consent into a Python environment of our own), and starting it on a free
// loopback port, with the address it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join, posix } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from './aws/session';
import { CancelledError, UserError } from './errors';
import type { TrainingJobDetails } from './jobs/types';
import { downloadObject } from './s3/download';
import { explainS3Error, isAbortError } from './s3/errors';
import { formatS3Uri, parseS3Uri } from './s3/uri';

/** TensorFlow's event file names: `events.out.tfevents.<time>.<host>...`. */
export const EVENT_FILE = /^events\.out\.tfevents\./;

/** At most this many event files are copied from S3 (a job writes a few per run). */
export const MAX_EVENT_FILES = 2000;

/** Where a job's event files are: a folder here, or an S3 prefix. */
export type EventFilesSource =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 's3'; readonly uri: string };

/**
 * The job's event files: a local job's `output/tensorboard/` (the container copies them there),
 * a SageMaker job's TensorBoardOutputConfig.S3OutputPath.
 */
export function eventFilesOf(job: TrainingJobDetails): EventFilesSource {
  if (job.target === 'local')
    return { kind: 'folder', path: join(job.id, 'output', 'tensorboard') };
  if (job.tensorboardPath) return { kind: 's3', uri: job.tensorboardPath };
  throw new UserError(
    `training job ${job.name} keeps no TensorFlow event files (it was started without a TensorBoard output)`,
    'Jobs started by this version keep them; start the job again to see it in TensorBoard',
  );
}

export interface SyncResult {
  /** Event files under the prefix. */
  readonly files: number;
  /** Of them, downloaded this time (new, or grown since the last time). */
  readonly downloaded: number;
}

/**
 * Copies the event files under an S3 prefix into `dir`, keeping their folders (a run per folder
 * in TensorBoard): only files that are new or whose size changed (event files only grow).
 */
export async function syncS3EventFiles(
  client: S3Client,
  uri: string,
  dir: string,
  options: { readonly signal?: AbortSignal; readonly session?: AwsSessionOptions } = {},
): Promise<SyncResult> {
  const location = parseS3Uri(uri);
  const prefix =
    location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const found: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  try {
    do {
      if (options.signal?.aborted) throw new CancelledError();
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: options.signal },
      );
      for (const object of page.Contents ?? [])
        if (object.Key && EVENT_FILE.test(posix.basename(object.Key)))
          found.push({ key: object.Key, size: object.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && found.length <= MAX_EVENT_FILES);
  } catch (error) {
    if (error instanceof CancelledError || isAbortError(error) || options.signal?.aborted)
      throw new CancelledError();
    throw explainS3Error(
      error,
      `listing ${formatS3Uri({ ...location, key: prefix })}`,
      options.session,
    );
  }
  if (found.length > MAX_EVENT_FILES)
    throw new UserError(
      `${uri} holds more than ${MAX_EVENT_FILES} event files`,
      'Point TensorBoard at the prefix of one job (tfod jobs <job> shows it)',
    );
  let downloaded = 0;
  for (const { key, size } of found) {
    const relativeKey = key.slice(prefix.length);
    // Keys are the bucket's: nothing in one may lead out of the cache folder.
    const parts = relativeKey.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) continue;
    const dest = join(dir, ...parts);
    const there = await stat(dest).catch(() => undefined);
    if (there?.size === size) continue;
    await downloadObject({ bucket: location.bucket, key }, dest, {
      client,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.session ? { session: options.session } : {}),
    });
    downloaded++;
  }
  return { files: found.length, downloaded };
}

/** The cache folder of the S3 event files of one job: `<cache>/tensorboard/<job>`. */
export function eventFilesCache(job: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'tensorboard', job.replace(/[^\w.-]/g, '_'));
}

/** Our own Python environment for TensorBoard: `<cache>/tensorboard-env`. */
export function ownTensorBoardEnv(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'tensorboard-env');
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(env.HOME || homedir(), '.cache');
  return join(base, 'tfod-sagemaker');
}

const windows = process.platform === 'win32';

/** The executable of a Python environment (`bin/<name>`, `Scripts\<name>.exe` on Windows). */
export function envExecutable(envDir: string, name: string): string {
  return windows ? join(envDir, 'Scripts', `${name}.exe`) : join(envDir, 'bin', name);
}

/** The first `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = windows ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const candidate of names) {
      const path = join(dir, candidate);
      if (existsSync(path)) return path;
    }
  return undefined;
}

/**
 * The `tensorboard` to run: the one configured (setting `tfod.tensorboard.path`, `--tensorboard-path`),
 * else our own environment's, else the first on PATH.
 */
export function findTensorBoard(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; how: 'configured' | 'own' | 'path' } | undefined {
  if (configured?.trim()) {
    if (!existsSync(configured))
      throw new UserError(
        `the TensorBoard set in tfod.tensorboard.path, ${configured}, does not exist`,
        'Set the full path of a tensorboard executable, or clear the setting to use the one on PATH',
      );
    return { path: configured, how: 'configured' };
  }
  const own = envExecutable(ownTensorBoardEnv(env), 'tensorboard');
  if (existsSync(own)) return { path: own, how: 'own' };
  const found = onPath('tensorboard', env);
  return found ? { path: found, how: 'path' } : undefined;
}

export interface InstallOptions {
  /** The Python that makes the environment (default: python3, then python, on PATH). */
  readonly python?: string;
  readonly envDir?: string;
  readonly signal?: AbortSignal;
  /** Each line pip and venv print. */
  readonly onLine?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Makes our own Python environment and installs TensorBoard into it from PyPI (what the user
 * agreed to); returns its `tensorboard`. Nothing is installed anywhere else.
 */
export async function installTensorBoard(options: InstallOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const python = options.python?.trim() || onPath('python3', env) || onPath('python', env);
  if (!python)
    throw new UserError(
      'no Python found to install TensorBoard with (python3 or python on PATH)',
      'Install Python 3, or install TensorBoard yourself (pip install tensorboard) and set tfod.tensorboard.path',
    );
  const envDir = options.envDir ?? ownTensorBoardEnv(env);
  await mkdir(dirname(envDir), { recursive: true });
  const run = (command: string, args: string[], what: string) =>
    runToEnd(command, args, { ...options, what, env });
  await run(python, ['-m', 'venv', envDir], `${python} -m venv ${envDir}`);
  const envPython = envExecutable(envDir, 'python');
  await run(
    envPython,
    ['-m', 'pip', 'install', '--disable-pip-version-check', 'tensorboard'],
    'pip install tensorboard',
  );
  const tensorboard = envExecutable(envDir, 'tensorboard');
  if (!existsSync(tensorboard))
    throw new UserError(
      `pip installed TensorBoard but ${tensorboard} is not there`,
      `Remove ${envDir} and try again, or install TensorBoard yourself and set tfod.tensorboard.path`,
    );
  return tensorboard;
}

/** Runs a command to its end, its lines to onLine; a failure says which command and its last lines. */
function runToEnd(
  command: string,
  args: string[],
  options: InstallOptions & { what: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    // Its own process group (POSIX), so that cancelling ends pip's own children too.
    const group = process.platform !== 'win32';
    const child = spawn(command, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    const tail: string[] = [];
    linesOf(child, (line) => {
      tail.push(line);
      if (tail.length > 8) tail.shift();
      options.onLine?.(line);
    });
    const onAbort = () => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        else child.kill();
      } catch {
        child.kill();
      }
      reject(new CancelledError());
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new UserError(
          `cannot run ${command}: ${error.message}`,
          'Check that Python 3 is installed',
        ),
      );
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new CancelledError());
      if (code === 0) return resolve();
      reject(
        new UserError(
          `${options.what} failed (exit ${code}): ${tail.join(' | ') || 'no output'}`,
          'Check the network to PyPI (pip honours PIP_INDEX_URL and PIP_CERT), or install TensorBoard yourself and set tfod.tensorboard.path',
        ),
      );
    });
  });
}

function linesOf(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split(/\r?\n/);
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) onLine(line);
    });
    stream?.on('end', () => {
      if (rest.trim()) onLine(rest);
    });
  }
}

/** TensorBoard's line with its address: `TensorBoard 2.15.2 at http://127.0.0.1:40123/ (Press CTRL+C to quit)`. */
export function tensorBoardUrl(line: string): string | undefined {
  return /\bat (https?:\/\/\S+?:\d+\/\S*)/.exec(line)?.[1];
}

export interface RunningTensorBoard {
  readonly url: string;
  readonly logdir: string;
  readonly pid: number | undefined;
  /** Resolves when the process ends, with how. */
  readonly exited: Promise<string>;
  stop(): void;
}

export interface StartOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for TensorBoard's address (default 120 s: its first start compiles and reads). */
  readonly timeoutMs?: number;
  readonly onLine?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts `tensorboard --logdir <logdir>` on loopback and a free port; resolves with its address
 * once it prints it. Ends it when `signal` aborts. Rejects with its last lines when it exits or
 * says nothing within the timeout.
 */
export function startTensorBoard(
  executable: string,
  logdir: string,
  options: StartOptions = {},
): Promise<RunningTensorBoard> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    const child = spawn(executable, ['--logdir', logdir, '--host', '127.0.0.1', '--port', '0'], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let url: string | undefined;
    let settled = false;
    const exited = new Promise<string>((done) =>
      child.on('close', (code, signal) =>
        done(signal ? `stopped (${signal})` : `exited (${code})`),
      ),
    );
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      reject(error);
    };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(
      () =>
        fail(
          new UserError(
            `TensorBoard said no address within ${Math.round(timeoutMs / 1000)} s: ${tail.join(' | ') || 'no output'}`,
            `Run ${executable} --logdir ${logdir} yourself to see why`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => fail(new CancelledError());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => options.signal?.removeEventListener('abort', onAbort));
    linesOf(child, (line) => {
      tail.push(line);
      if (tail.length > 8) tail.shift();
      options.onLine?.(line);
      url ??= tensorBoardUrl(line);
      if (url && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ url, logdir, pid: child.pid, exited, stop });
      }
    });
    child.on('error', (error) =>
      fail(
        new UserError(
          `cannot run TensorBoard (${executable}): ${error.message}`,
          'Set tfod.tensorboard.path to a tensorboard executable, or let the extension install one',
        ),
      ),
    );
    void exited.then((how) =>
      fail(
        new UserError(
          `TensorBoard ${how} before it served: ${tail.join(' | ') || 'no output'}`,
          `Run ${executable} --logdir ${logdir} yourself to see why`,
        ),
      ),
    );
  });
}

export interface LaunchOptions {
  readonly job: TrainingJobDetails;
  /** The `tensorboard` to run (findTensorBoard, or installTensorBoard). */
  readonly executable: string;
  /** An S3 client for a SageMaker job's event files; the caller destroys it after `exited`. */
  readonly s3?: { readonly client: S3Client; readonly session?: AwsSessionOptions };
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
  readonly onLine?: (line: string) => void;
  /** How often a running SageMaker job's event files are copied again (default 60 s). */
  readonly refreshMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * TensorBoard on one job: its event files found (a SageMaker job's copied down, and again every
 * `refreshMs` while it runs), then TensorBoard started on them.
 */
export async function launchTensorBoard(options: LaunchOptions): Promise<RunningTensorBoard> {
  const { job } = options;
  const source = eventFilesOf(job);
  const running = job.status === 'InProgress' || job.status === 'Stopping';
  let logdir: string;
  let refresh: (() => Promise<unknown>) | undefined;
  if (source.kind === 'folder') {
    logdir = source.path;
    if (!existsSync(logdir)) {
      if (!running)
        throw new UserError(
          `training job ${job.name} wrote no TensorFlow event files (${logdir} is not there)`,
          'The training container writes them while it trains; a job that failed before training has none',
        );
      // Training has not begun: TensorBoard reads the folder as files appear in it.
      await mkdir(logdir, { recursive: true });
    }
  } else {
    const s3 = options.s3;
    if (!s3) throw new Error('an S3 client is needed for the event files of a SageMaker job');
    logdir = eventFilesCache(job.name, options.env);
    await mkdir(logdir, { recursive: true });
    options.onProgress?.(`Copying the event files of ${job.name} from ${source.uri}`);
    const first = await syncS3EventFiles(s3.client, source.uri, logdir, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(s3.session ? { session: s3.session } : {}),
    });
    if (first.files === 0 && !running)
      throw new UserError(
        `training job ${job.name} has no TensorFlow event files under ${source.uri}`,
        'A job that failed before training has none; check its log (tfod logs)',
      );
    refresh = () =>
      syncS3EventFiles(s3.client, source.uri, logdir, s3.session ? { session: s3.session } : {});
  }
  options.onProgress?.(`Starting TensorBoard on ${logdir}`);
  const board = await startTensorBoard(options.executable, logdir, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  if (refresh && running) {
    const every = options.refreshMs ?? 60_000;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      refresh()
        .catch((error: unknown) =>
          options.onLine?.(
            `could not copy new event files: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => (busy = false));
    }, every);
    timer.unref();
    void board.exited.then(() => clearInterval(timer));
  }
  return board;
}

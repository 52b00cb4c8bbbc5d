// The server's inference workers: child processes that each load the model and decode and
// detect one image at a time (inferenceWorker.ts). The server's event loop only routes: jobs wait
// here in arrival order and go to the first idle worker. When every worker is busy and jobs still
// wait, each worker is also handed the next one, which it starts the moment it answers the
// current: a worker never sits idle for the round trip of its answer and the next image.
//
// Why processes and not worker threads: a process can be killed whatever it is doing (a thread
// cannot be stopped inside native TensorFlow code), one that runs out of memory takes nothing
// else with it, each can be given its own GPU (CUDA_VISIBLE_DEVICES is per process), and the
// native binding loads as it always does. A job that runs longer than the request timeout kills
// its worker, and a worker that dies is replaced; the model is loaded again.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendChoice } from '../runtime';
import { HEAP_GROWING_FLAG } from './heap';
import type { Prediction } from '../types';
import type {
  FromWorker,
  ModelDescription,
  ToWorker,
  WorkerConfig,
  WorkerTiming,
} from './workerProtocol';

export interface WorkerPoolOptions {
  readonly modelDir: string;
  readonly backend?: BackendChoice;
  /** Worker processes, each with its own copy of the model. */
  readonly workers: number;
  /** Longest one job may run in a worker; past it the worker is killed and replaced. */
  readonly jobLimitMs: number;
  /** GPU ids; worker i sees only `gpus[i % gpus.length]` (CUDA_VISIBLE_DEVICES). */
  readonly gpus?: readonly string[];
  /** The worker program; default {@link defaultWorkerScript}. Tests pass a stand-in. */
  readonly script?: string;
  readonly log: (line: string) => void;
}

/** Where a job's time went, in milliseconds. */
export interface JobTiming extends WorkerTiming {
  /** Waiting for a worker (or for the model to load) until a worker started on it. */
  readonly queueMs: number;
}

/** How a job ended. */
export type JobOutcome =
  | {
      readonly kind: 'prediction';
      readonly prediction: Prediction[];
      readonly timing: JobTiming;
    }
  /** The image cannot be used (400) or is over a decoding limit (413). */
  | { readonly kind: 'refused'; readonly status: 400 | 413; readonly error: string }
  /** Inference failed, or the worker died or was killed while on it. */
  | { readonly kind: 'failed'; readonly error: string }
  /** No worker will take it: the model cannot be loaded, or the pool is stopping. */
  | { readonly kind: 'unavailable'; readonly error: string }
  /** Its signal aborted while it waited; it never ran. */
  | { readonly kind: 'cancelled' };

interface Job {
  readonly id: number;
  readonly image: Uint8Array;
  readonly threshold: number | undefined;
  readonly settle: (outcome: JobOutcome) => void;
  /** When it began to wait (see {@link WorkerPool.run}), on `performance.now()`'s clock. */
  readonly queuedAt: number;
  /** When a worker started on it. */
  startedAt?: number;
  /** Set while it runs: the worker's watchdog. */
  watchdog?: NodeJS.Timeout;
  /** The watchdog fired. */
  overran?: boolean;
}

interface Slot {
  /** 1-based, for the log. */
  readonly number: number;
  readonly gpu: string | undefined;
  child?: ChildProcess;
  ready: boolean;
  /** The job the worker is on. */
  job?: Job;
  /** The job it was handed to start right after (it has the image already). */
  next?: Job;
}

/**
 * The worker program beside the bundle that runs this code (dist/servingWorker.js beside
 * dist/cli.js, container/dist/servingWorker.js beside serve.js), or, run from source under tsx
 * (tests, benchmarks), this folder's inferenceWorker.ts.
 */
export function defaultWorkerScript(): string {
  const bundled = join(__dirname, 'servingWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'inferenceWorker.ts');
}

export class WorkerPool {
  /** Resolves once every worker has loaded the model; rejects with the reason one could not. */
  readonly ready: Promise<ModelDescription>;
  /** Resolves with the reason when the model can no longer be served (a load that failed). */
  readonly failed: Promise<string>;

  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly script: string;
  private readonly config: WorkerConfig;
  private failure: string | undefined;
  private everReady = false;
  private stopping = false;
  private nextId = 1;
  private resolveReady: (model: ModelDescription) => void = () => undefined;
  private rejectReady: (error: Error) => void = () => undefined;
  private resolveFailed: (reason: string) => void = () => undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.failed = new Promise((resolve) => (this.resolveFailed = resolve));
    this.script = options.script ?? defaultWorkerScript();
    this.config = {
      modelDir: options.modelDir,
      ...(options.backend ? { backend: options.backend } : {}),
    };
    const gpus = options.gpus ?? [];
    this.slots = Array.from({ length: Math.max(1, options.workers) }, (_, i) => ({
      number: i + 1,
      gpu: gpus.length > 0 ? gpus[i % gpus.length] : undefined,
      ready: false,
    }));
    if (!existsSync(this.script)) {
      this.fail(
        `the inference worker program ${this.script} is missing (npm run build makes it beside the bundle)`,
      );
      return;
    }
    for (const slot of this.slots) this.start(slot);
  }

  /** Why the model cannot be served, once it cannot. */
  get loadError(): string | undefined {
    return this.failure;
  }

  /** Every worker loaded the model once and none has failed to since. */
  get isReady(): boolean {
    return this.everReady && !this.failure;
  }

  /** Jobs waiting for a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Decodes and detects `image` in the first idle worker. Never rejects: the outcome says how it
   * ended. Aborting `signal` drops a job that still waits; one already running finishes (or is
   * stopped by the watchdog) and its answer is dropped by the caller. `since` is when the job
   * began to wait (`performance.now()`; default now), for its queue time: the server passes the
   * moment it began to wait for the model when the model was still loading.
   */
  run(
    image: Uint8Array,
    threshold: number | undefined,
    signal: AbortSignal,
    since = performance.now(),
  ): Promise<JobOutcome> {
    if (this.failure) return Promise.resolve({ kind: 'unavailable', error: this.failure });
    if (this.stopping)
      return Promise.resolve({ kind: 'unavailable', error: 'the server is shutting down' });
    if (signal.aborted) return Promise.resolve({ kind: 'cancelled' });
    return new Promise<JobOutcome>((resolve) => {
      const onAbort = () => {
        const at = this.queue.indexOf(job);
        if (at < 0) return;
        this.queue.splice(at, 1);
        job.settle({ kind: 'cancelled' });
      };
      const job: Job = {
        id: this.nextId++,
        image,
        threshold,
        queuedAt: since,
        settle: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          if (job.watchdog) clearTimeout(job.watchdog);
          resolve(outcome);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /**
   * Stops every worker: jobs still waiting end `unavailable`; a worker still on a job (whose
   * answer nobody waits for any more) is killed, the others are told to exit and killed after
   * `graceMs` if they have not.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    for (const job of this.queue.splice(0))
      job.settle({ kind: 'unavailable', error: 'the server is shutting down' });
    await Promise.all(
      this.slots.map(async (slot) => {
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (slot.job || slot.next || !child.connected) child.kill('SIGKILL');
        else this.post(child, { type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private start(slot: Slot): void {
    slot.ready = false;
    const child = fork(this.script, [JSON.stringify(this.config)], {
      execArgv: workerExecArgv(process.execArgv),
      env: {
        ...process.env,
        ...(slot.gpu !== undefined ? { CUDA_VISIBLE_DEVICES: slot.gpu } : {}),
      },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    slot.child = child;
    // A worker's own output (TensorFlow's native log, warnings) goes to the server's log.
    for (const stream of [child.stdout, child.stderr])
      if (stream)
        createInterface({ input: stream }).on('line', (line) => {
          if (line.trim()) this.options.log(`worker ${slot.number}: ${line}`);
        });
    child.on('message', (message: FromWorker) => this.onMessage(slot, child, message));
    child.on('exit', (code, signal) => this.onExit(slot, child, code, signal));
    // Spawning itself failed (no such executable): the exit handler follows with the reason.
    child.on('error', (error) => this.options.log(`worker ${slot.number}: ${error.message}`));
  }

  private onMessage(slot: Slot, child: ChildProcess, message: FromWorker): void {
    if (slot.child !== child) return;
    switch (message.type) {
      case 'ready': {
        slot.ready = true;
        const { model } = message;
        this.options.log(
          `model ready: ${model.dir} (${model.format}, ${model.layout} outputs, ${model.backend} backend: ${model.runtimeVersion}) in worker ${slot.number} (pid ${child.pid}${slot.gpu !== undefined ? `, GPU ${slot.gpu}` : ''})`,
        );
        // The cpu backend is some 25 times slower than wasm: say why it was the one left.
        if (model.backend === 'cpu' && model.runtimeNotes.length > 0 && slot.number === 1)
          this.options.log(`running on the slow cpu backend: ${model.runtimeNotes.join('; ')}`);
        if (!this.everReady && this.slots.every((s) => s.ready)) {
          this.everReady = true;
          this.resolveReady(model);
        }
        this.pump();
        return;
      }
      case 'failed':
        this.fail(`the model failed to load: ${message.error}`);
        return;
      default: {
        const job = slot.job;
        if (!job || job.id !== message.id) return;
        // The worker has started the job it was handed, if any: its watchdog starts now.
        slot.job = slot.next;
        slot.next = undefined;
        if (slot.job) this.watch(slot, child, slot.job);
        if (message.type === 'result')
          job.settle({
            kind: 'prediction',
            prediction: message.prediction,
            timing: { queueMs: this.queueMs(job, message.timing), ...message.timing },
          });
        else if (message.type === 'refused')
          job.settle({ kind: 'refused', status: message.status, error: message.error });
        else job.settle({ kind: 'failed', error: message.error });
        this.pump();
      }
    }
  }

  private onExit(
    slot: Slot,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (slot.child !== child) return;
    const wasReady = slot.ready;
    slot.child = undefined;
    slot.ready = false;
    const how = signal ? `was killed (${signal})` : `exited (${code})`;
    const job = slot.job;
    const next = slot.next;
    slot.job = undefined;
    slot.next = undefined;
    // The job it was handed but had not started goes back to the front of the queue.
    if (next) {
      if (this.stopping || this.failure)
        next.settle({ kind: 'unavailable', error: this.failure ?? 'the server is shutting down' });
      else this.queue.unshift(next);
    }
    if (job)
      job.settle(
        job.overran
          ? {
              kind: 'failed',
              error: `the image took longer than ${this.options.jobLimitMs / 1000} s to decode and detect; its worker was restarted`,
            }
          : this.stopping || this.failure
            ? { kind: 'unavailable', error: this.failure ?? 'the server is shutting down' }
            : { kind: 'failed', error: `the inference worker ${how} while working on this image` },
      );
    if (this.stopping || this.failure) return;
    if (!wasReady) {
      // A worker that never loaded the model will not do better on a restart.
      this.fail(`the inference worker ${how} before the model was loaded`);
      return;
    }
    this.options.log(`worker ${slot.number} ${how}; starting another`);
    this.start(slot);
  }

  private pump(): void {
    // Idle workers first, then one job ahead for each busy one.
    for (const ahead of [false, true]) {
      while (this.queue.length > 0) {
        const slot = this.slots.find(
          (s) => s.ready && s.child?.connected && (ahead ? s.job && !s.next : !s.job),
        );
        if (!slot) break;
        const job = this.queue.shift()!;
        const child = slot.child!;
        if (ahead) slot.next = job;
        else {
          slot.job = job;
          this.watch(slot, child, job);
        }
        this.post(child, {
          type: 'detect',
          id: job.id,
          image: job.image,
          ...(job.threshold === undefined ? {} : { threshold: job.threshold }),
        });
      }
    }
  }

  /**
   * How long `job` waited before a worker started it. A job handed ahead is started by its worker
   * the moment the one before is answered, before this process hears of that (its `startedAt`):
   * the worker's own time on it, counted back from its answer, can put the start earlier.
   */
  private queueMs(job: Job, timing: WorkerTiming): number {
    const byAnswer = performance.now() - timing.decodeMs - timing.detectMs;
    return Math.max(0, Math.min(job.startedAt ?? byAnswer, byAnswer) - job.queuedAt);
  }

  /** Notes that `job` starts now; kills the worker when it runs past the limit from now. */
  private watch(slot: Slot, child: ChildProcess, job: Job): void {
    job.startedAt = performance.now();
    job.watchdog = setTimeout(() => {
      job.overran = true;
      this.options.log(
        `worker ${slot.number}: an image ran longer than ${this.options.jobLimitMs / 1000} s; killing the worker`,
      );
      child.kill('SIGKILL');
    }, this.options.jobLimitMs);
  }

  private post(child: ChildProcess, message: ToWorker): void {
    // A worker that died meanwhile reports it through 'exit'; the send error adds nothing.
    child.send(message, (error) => {
      if (error) this.options.log(`could not reach worker (pid ${child.pid}): ${error.message}`);
    });
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    this.options.log(reason);
    this.rejectReady(new Error(reason));
    this.resolveFailed(reason);
    for (const job of this.queue.splice(0)) job.settle({ kind: 'unavailable', error: reason });
    for (const slot of this.slots) slot.child?.kill('SIGKILL');
  }
}

/**
 * A worker's Node.js flags: the parent's module loader flags (tsx's, when run from source) and
 * {@link HEAP_GROWING_FLAG}, and nothing else: a worker must not inherit --inspect ports, --eval
 * code or test runner flags.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  return [...loaderArgs(execArgv), HEAP_GROWING_FLAG];
}

function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  const withValue = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (withValue.has(arg) && i + 1 < execArgv.length) out.push(arg, execArgv[++i]!);
    else if (/^--(require|import|loader|experimental-loader)=/.test(arg)) out.push(arg);
    else if (arg === '--enable-source-maps') out.push(arg);
  }
  return out;
}

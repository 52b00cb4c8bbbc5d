// The message loop's side of the worker thread that does the work of heavy documents: parsing,
// validating or formatting megabytes takes about a second, which on the message loop would hold up
// every other document's requests and hide a $/cancelRequest until it ended.
//
// Jobs run one at a time, in the order they came. Before a job is sent, the open documents whose
// version the worker has not seen are mirrored to it (a config reads its label map from an open
// editor), so a heavy document's text crosses only when its version changed. Cancelling the job
// in flight terminates the worker, the only way to stop synchronous work; the next job starts a
// fresh one (its state is only a cache). A worker that cannot start or dies on its own leaves its
// job to the message loop (`inProcess`), logged once: a request is never left unanswered.

import { Worker } from 'node:worker_threads';
import type { CancellationToken, Disposable } from 'vscode-languageserver';
import type {
  DocumentText,
  FromWorker,
  ToWorker,
  Work,
  WorkerSettings,
  WorkResult,
} from './heavyWork';
import type { OpenDocument } from './validationService';

export interface HeavyWorkerOptions {
  /** The worker's bundle, dist/serverWorker.js. */
  readonly script: string;
  /** The documents open in the editor, as the server holds them. */
  readonly documents: () => Iterable<OpenDocument>;
  /** Does a job on the message loop, when the worker cannot. */
  readonly inProcess: (document: OpenDocument, work: Work) => WorkResult;
  readonly log: (message: string) => void;
}

/** How a job ended: its answer, or cancelled before it had one. */
export type Outcome =
  { readonly cancelled: false; readonly value: unknown } | { readonly cancelled: true };

const CANCELLED: Outcome = { cancelled: true };

interface Job {
  readonly id: number;
  /** The version the request or validation was made against. */
  readonly document: DocumentText;
  readonly work: Work;
  readonly resolve: (outcome: Outcome) => void;
  readonly reject: (error: Error) => void;
  cancellation?: Disposable;
}

export class HeavyWorker {
  private worker: Worker | undefined;
  /** Whether the current worker has said it listens. */
  private started = false;
  /** Set when a worker died before it started: from then on the loop does the work. */
  private unavailable = false;
  private readonly logged = new Set<string>();
  private settings: WorkerSettings = { roots: [], protoFolder: undefined };
  /** uri -> the version the current worker holds. */
  private readonly mirrored = new Map<string, number>();
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private nextId = 1;
  /** uri -> the files its last validation in the worker read (for `dependents`). */
  private readonly dependencies = new Map<string, readonly string[]>();

  constructor(private readonly options: HeavyWorkerOptions) {}

  /** Does `work` on `document` (its current version) off the message loop. */
  run(document: OpenDocument, work: Work, token: CancellationToken): Promise<Outcome> {
    if (token.isCancellationRequested) return Promise.resolve(CANCELLED);
    const snapshot = { uri: document.uri, version: document.version, text: document.getText() };
    return new Promise<Outcome>((resolve, reject) => {
      const job: Job = { id: this.nextId++, document: snapshot, work, resolve, reject };
      job.cancellation = token.onCancellationRequested(() => this.cancel(job));
      this.queue.push(job);
      this.pump();
    });
  }

  configure(settings: WorkerSettings): void {
    this.settings = settings;
    this.post({ type: 'settings', settings });
  }

  filesChanged(paths: readonly string[]): void {
    this.post({ type: 'filesChanged', paths });
  }

  /** The worker's validation of `uri` is stale: a file it read changed. */
  forget(uri: string): void {
    this.post({ type: 'forget', uri });
  }

  /** `uri` was closed: the worker need not keep its text. */
  closed(uri: string): void {
    this.dependencies.delete(uri);
    if (this.mirrored.delete(uri)) this.post({ type: 'documents', changed: [], closed: [uri] });
  }

  /** Documents whose last validation in the worker read `path`. */
  dependents(path: string): string[] {
    const out: string[] = [];
    for (const [uri, paths] of this.dependencies) if (paths.includes(path)) out.push(uri);
    return out;
  }

  dispose(): void {
    this.stopWorker();
    const jobs = [...this.queue, ...(this.running ? [this.running] : [])];
    this.queue.length = 0;
    this.running = undefined;
    for (const job of jobs) this.settle(job, CANCELLED);
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else if (this.running === job) {
      this.running = undefined;
      this.stopWorker();
    } else {
      return;
    }
    this.settle(job, CANCELLED);
    this.pump();
  }

  private pump(): void {
    while (!this.running && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const worker = this.unavailable ? undefined : (this.worker ?? this.startWorker());
      if (!worker) {
        this.runInProcess(job);
        continue;
      }
      this.running = job;
      this.mirror(job.document);
      this.post({
        type: 'job',
        id: job.id,
        uri: job.document.uri,
        version: job.document.version,
        work: job.work,
      });
    }
  }

  /** Sends the worker the open documents' texts it lacks and the documents closed since. */
  private mirror(target: DocumentText): void {
    const changed: DocumentText[] = [];
    const open = new Set<string>([target.uri]);
    if (this.mirrored.get(target.uri) !== target.version) changed.push(target);
    for (const document of this.options.documents()) {
      if (document.uri === target.uri) continue;
      open.add(document.uri);
      if (this.mirrored.get(document.uri) !== document.version)
        changed.push({ uri: document.uri, version: document.version, text: document.getText() });
    }
    const closed = [...this.mirrored.keys()].filter((uri) => !open.has(uri));
    for (const uri of closed) this.mirrored.delete(uri);
    for (const document of changed) this.mirrored.set(document.uri, document.version);
    if (changed.length > 0 || closed.length > 0) this.post({ type: 'documents', changed, closed });
  }

  private startWorker(): Worker | undefined {
    let worker: Worker;
    try {
      // stdout is the LSP channel under --stdio: whatever the worker prints goes to the log.
      worker = new Worker(this.options.script, { workerData: this.settings, stdout: true });
    } catch (error) {
      this.cannotStart(error instanceof Error ? error.message : String(error));
      return undefined;
    }
    this.worker = worker;
    this.started = false;
    this.mirrored.clear();
    let failure: unknown;
    worker.stdout.setEncoding('utf8');
    worker.stdout.on('data', (chunk: string) => this.options.log(chunk.trimEnd()));
    worker.on('message', (message: FromWorker) => {
      if (this.worker === worker) this.received(message);
    });
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.workerDied(code, failure);
    });
    // An idle worker never keeps the server alive.
    worker.unref();
    return worker;
  }

  private received(message: FromWorker): void {
    if (message.type === 'ready') {
      this.started = true;
      return;
    }
    const job = this.running;
    if (!job || job.id !== message.id) return;
    this.running = undefined;
    if (message.type === 'done') this.finish(job, message);
    else this.fail(job, new Error(message.message));
    this.pump();
  }

  /** From now on the message loop does the work: there is no worker to be had. */
  private cannotStart(reason: string): void {
    this.unavailable = true;
    this.logOnce(
      'start',
      `The worker for large documents could not start (${reason}); their work runs on the message loop.`,
    );
  }

  /** The worker stopped without being told to (or never started). */
  private workerDied(code: number, failure: unknown): void {
    const reason = failure instanceof Error ? failure.message : `exit code ${code}`;
    if (!this.started) this.cannotStart(reason);
    else
      this.logOnce(
        'died',
        `The worker for large documents stopped (${reason}); the job it had runs on the message loop, the next starts a new worker.`,
      );
    this.worker = undefined;
    this.mirrored.clear();
    const job = this.running;
    this.running = undefined;
    if (job) this.runInProcess(job);
    this.pump();
  }

  private runInProcess(job: Job): void {
    const { uri, version, text } = job.document;
    let result: WorkResult;
    try {
      result = this.options.inProcess({ uri, version, getText: () => text }, job.work);
    } catch (error) {
      this.fail(job, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.finish(job, result);
  }

  private finish(job: Job, result: WorkResult): void {
    if (result.dependencies) this.dependencies.set(job.document.uri, result.dependencies);
    this.settle(job, { cancelled: false, value: result.value });
  }

  private settle(job: Job, outcome: Outcome): void {
    job.cancellation?.dispose();
    job.resolve(outcome);
  }

  private fail(job: Job, error: Error): void {
    job.cancellation?.dispose();
    job.reject(error);
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.mirrored.clear();
    if (worker) void worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private logOnce(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.options.log(message);
  }
}

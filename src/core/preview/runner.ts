import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { HostMessage, PreviewImageResult } from './protocol';
import { decodeForPreview, type PredictionSource } from './sources';

// The preview's work queue, free of 'vscode': images wait in one queue and run one at a time
// against the panel's source. Adding images queues them behind the others (nothing already
// running is dropped); a new source, Run again or a webview that loaded again starts over. Each
// image's last answer is kept with its source and the digest of its bytes, so a webview that was
// hidden (and forgot its results) gets them back without asking the model again.

export interface PreviewRunnerHooks {
  /** The current source's runner (loading a model if need be); undefined when none is chosen. */
  prepare(): Promise<PredictionSource | undefined>;
  /** Identifies the current source for the answer cache. */
  sourceKey(): string;
  /** The images of the panel, in order. */
  images(): readonly string[];
  /** Sends the session (source, images, labels) to the webview. */
  sendSession(): void;
  post(message: HostMessage): void;
  /** Shows an error: of an image (`path`), or of the panel. */
  postError(error: unknown, path?: string, requestId?: number): void;
  /** Called when an image's bytes were read (dropped copies stay fresh while shown). */
  onRead?(path: string): void;
  readFile?(path: string): Promise<Buffer>;
}

interface Queued {
  readonly path: string;
  readonly requestId?: number;
  readonly fresh: boolean;
}

type Answer = Omit<PreviewImageResult, 'dataUrl'>;

export class PreviewRunner {
  private controller = new AbortController();
  private runner: Promise<PredictionSource | undefined> = Promise.resolve(undefined);
  private queue: Queued[] = [];
  /** The controller whose worker is draining the queue, if one is. */
  private workerOf: AbortController | undefined;
  private readonly answers = new Map<string, { source: string; digest: string; answer: Answer }>();

  constructor(private readonly hooks: PreviewRunnerHooks) {}

  /**
   * Starts over with every image: after a source change or Run again (`fresh`: ask the source
   * even for images it answered), or when the webview loaded again (answers come from memory).
   * `problem` is shown after the session.
   */
  async restart(options: { requestId?: number; problem?: unknown; fresh?: boolean } = {}) {
    this.controller.abort();
    const controller = (this.controller = new AbortController());
    this.queue = [];
    const runner = (this.runner = this.hooks.prepare());
    let ready: PredictionSource | undefined;
    try {
      ready = await runner;
    } catch (error) {
      if (controller.signal.aborted) return;
      this.hooks.sendSession();
      this.hooks.postError(error, undefined, options.requestId);
      if (options.problem) this.hooks.postError(options.problem, undefined, options.requestId);
      return;
    }
    if (controller.signal.aborted) return;
    this.hooks.sendSession();
    if (options.problem) this.hooks.postError(options.problem, undefined, options.requestId);
    if (ready)
      this.enqueue(this.hooks.images(), {
        fresh: options.fresh ?? false,
        ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      });
  }

  /** Runs images just added to the panel, after those already waiting. */
  add(paths: readonly string[], problem?: unknown): void {
    this.hooks.sendSession();
    if (problem) this.hooks.postError(problem);
    this.enqueue(paths, { fresh: false });
  }

  /** Forgets an image removed from the panel. */
  forget(path: string): void {
    this.answers.delete(path);
    this.queue = this.queue.filter((q) => q.path !== path);
  }

  /** Stops the run in progress, for good. */
  dispose(): void {
    this.controller.abort();
    this.queue = [];
  }

  private enqueue(paths: readonly string[], how: { fresh: boolean; requestId?: number }): void {
    for (const path of paths)
      if (!this.queue.some((q) => q.path === path)) this.queue.push({ path, ...how });
    if (this.workerOf !== this.controller) {
      const controller = (this.workerOf = this.controller);
      void this.work(controller);
    }
  }

  private async work(controller: AbortController): Promise<void> {
    try {
      for (;;) {
        if (controller.signal.aborted) return;
        const next = this.queue.shift();
        if (!next) return;
        await this.runOne(next, controller.signal);
      }
    } finally {
      if (this.workerOf === controller) this.workerOf = undefined;
    }
  }

  private async runOne(item: Queued, signal: AbortSignal): Promise<void> {
    const { path, requestId } = item;
    const name = basename(path);
    const id = requestId !== undefined ? { requestId } : {};
    try {
      const bytes = await (this.hooks.readFile ?? readFile)(path);
      this.hooks.onRead?.(path);
      const source = this.hooks.sourceKey();
      const digest = createHash('sha1').update(bytes).digest('hex');
      const cached = this.answers.get(path);
      if (!item.fresh && cached?.source === source && cached.digest === digest) {
        if (!signal.aborted) this.sendResult({ ...cached.answer, remembered: true }, bytes, id);
        return;
      }
      // No source (none chosen, or it failed and said so): the image waits for one.
      const run = await this.runner.catch(() => undefined);
      if (!run || signal.aborted) return;
      this.hooks.post({ type: 'pending', ...id, path, name });
      const image = decodeForPreview(bytes, name);
      const started = performance.now();
      const answer = await run(bytes, image, signal);
      const latencyMs = Math.round(performance.now() - started);
      if (signal.aborted) return;
      const result: Answer = {
        path,
        name,
        width: image.width,
        height: image.height,
        predictions: answer.predictions,
        latencyMs,
        raw: answer.raw,
        notes: answer.notes,
      };
      this.answers.set(path, { source, digest, answer: result });
      this.sendResult(result, bytes, id);
    } catch (error) {
      if (signal.aborted) return;
      this.hooks.postError(error, path, requestId);
    }
  }

  private sendResult(answer: Answer, bytes: Buffer, id: { requestId?: number }): void {
    const mime = extname(answer.path).toLowerCase() === '.png' ? 'image/png' : 'image/jpeg';
    this.hooks.post({
      type: 'result',
      ...id,
      result: { ...answer, dataUrl: `data:${mime};base64,${bytes.toString('base64')}` },
    });
  }
}

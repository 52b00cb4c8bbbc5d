// Debounced diagnostics per document: a new edit cancels the validation still waiting, or still
// running (a heavy document's runs in the worker, see heavyWorker.ts), for the same document, so
// only the latest text is published.

import { CancellationTokenSource, type CancellationToken } from 'vscode-languageserver';

export class DiagnosticsScheduler {
  /** uri -> the run waiting for its delay (timer set) or running (timer undefined). */
  private readonly pending = new Map<
    string,
    { timer: NodeJS.Timeout | undefined; source: CancellationTokenSource }
  >();

  constructor(
    private readonly run: (uri: string, token: CancellationToken) => void | Promise<void>,
    private readonly delayMs: number,
  ) {}

  /** Validates `uri` after the debounce delay (or `delayMs`), replacing a pending run. */
  schedule(uri: string, delayMs = this.delayMs): void {
    this.cancel(uri);
    const source = new CancellationTokenSource();
    const entry = { timer: undefined as NodeJS.Timeout | undefined, source };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const done = () => {
        if (this.pending.get(uri) === entry) this.pending.delete(uri);
        source.dispose();
      };
      const running = this.run(uri, source.token);
      // A run reports its own failures (publish logs them); here it only has to end.
      if (running) void running.then(done, done);
      else done();
    }, delayMs);
    this.pending.set(uri, entry);
  }

  cancel(uri: string): void {
    const entry = this.pending.get(uri);
    if (!entry) return;
    this.pending.delete(uri);
    entry.source.cancel();
    // A running run disposes of its source when it ends.
    if (entry.timer) {
      clearTimeout(entry.timer);
      entry.source.dispose();
    }
  }

  isPending(uri: string): boolean {
    return this.pending.has(uri);
  }

  dispose(): void {
    for (const uri of [...this.pending.keys()]) this.cancel(uri);
  }
}

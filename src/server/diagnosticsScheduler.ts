// Debounced diagnostics per document: a new edit cancels the validation still waiting (or running
// between steps) for the same document, so only the latest text is published.

import { CancellationTokenSource, type CancellationToken } from 'vscode-languageserver';

export class DiagnosticsScheduler {
  private readonly pending = new Map<
    string,
    { timer: NodeJS.Timeout; source: CancellationTokenSource }
  >();

  constructor(
    private readonly run: (uri: string, token: CancellationToken) => void,
    private readonly delayMs: number,
  ) {}

  /** Validates `uri` after the debounce delay (or `delayMs`), replacing a pending run. */
  schedule(uri: string, delayMs = this.delayMs): void {
    this.cancel(uri);
    const source = new CancellationTokenSource();
    const timer = setTimeout(() => {
      this.pending.delete(uri);
      if (!source.token.isCancellationRequested) this.run(uri, source.token);
      source.dispose();
    }, delayMs);
    this.pending.set(uri, { timer, source });
  }

  cancel(uri: string): void {
    const entry = this.pending.get(uri);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.source.cancel();
    entry.source.dispose();
    this.pending.delete(uri);
  }

  isPending(uri: string): boolean {
    return this.pending.has(uri);
  }

  dispose(): void {
    for (const uri of [...this.pending.keys()]) this.cancel(uri);
  }
}

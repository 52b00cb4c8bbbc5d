import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPreviewPanelState, type PreviewPanelState } from './protocol';

// The host's own copy of the preview's state. VS Code keeps a webview's setState for its
// serializer, but in a browser-hosted VS Code it reaches storage some time later, so a reload soon
// after a change can restore an older state. The host writes each change to a file at once; the
// panel restores from that file and falls back to the serializer's state.

/** The state in `path`, or undefined when there is none or it is not a preview state. */
export async function readPanelState(path: string): Promise<PreviewPanelState | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isPreviewPanelState(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes states to one file, the latest winning: while a write is in flight, later states wait
 * and only the last of them is written. Each write replaces the file whole (write, then rename).
 */
export class PanelStateFile {
  private latest: PreviewPanelState | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  save(state: PreviewPanelState): void {
    this.latest = state;
    this.writing ??= this.drain();
  }

  /** Resolves once everything saved so far is on disk. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.latest) {
        const state = this.latest;
        this.latest = undefined;
        try {
          await mkdir(dirname(this.path), { recursive: true });
          const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
          await writeFile(temporary, JSON.stringify(state));
          await rename(temporary, this.path);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}

import { statSync } from 'node:fs';
import { inspectRecords } from '../core/records';
import type { RecordsSummary } from '../schema/validate';

/**
 * What sets of TFRecord files hold, for input_path's hover and the records checks. Validation is
 * synchronous and records can be gigabytes, so a set not yet read answers 'pending', is read in
 * the background (one set at a time, streamed, async file reads) and `onReady` is called with its
 * files so the configs that asked re-validate. Answers are kept per file list, size and mtime: a
 * file that changes is read again; the oldest answers are dropped past `MAX_ENTRIES`.
 */
const MAX_ENTRIES = 64;

export class RecordsSummaries {
  private readonly done = new Map<string, RecordsSummary>();
  private readonly running = new Set<string>();
  /** Sets that could not be read, so they are not read again and again until they change. */
  private readonly failed = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly onReady: (files: readonly string[]) => void) {}

  get(files: readonly string[]): RecordsSummary | 'pending' | undefined {
    const key = this.key(files);
    if (key === undefined) return undefined;
    const summary = this.done.get(key);
    if (summary) return summary;
    if (this.failed.has(key)) return undefined;
    if (!this.running.has(key)) {
      this.running.add(key);
      this.queue = this.queue.then(() => this.read(key, files));
    }
    return 'pending';
  }

  /** Resolves when every read asked for so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async read(key: string, files: readonly string[]): Promise<void> {
    try {
      const result = await inspectRecords(files, { maxProblems: 0 });
      const classIds = new Map<number, number>();
      for (const c of result.classes) if (c.label !== undefined) classIds.set(c.label, c.objects);
      this.done.set(key, {
        records: result.records,
        objects: result.objects,
        classIds,
        problems: result.problemsNotListed,
      });
      if (this.done.size > MAX_ENTRIES) this.done.delete(this.done.keys().next().value as string);
    } catch {
      // A set that cannot be read (a file removed meanwhile) gets no summary; the path checks
      // already say what is missing.
      this.failed.add(key);
      if (this.failed.size > MAX_ENTRIES)
        this.failed.delete(this.failed.values().next().value as string);
    } finally {
      this.running.delete(key);
    }
    this.onReady(files);
  }

  private key(files: readonly string[]): string | undefined {
    const parts: string[] = [];
    for (const file of files) {
      try {
        const s = statSync(file);
        if (!s.isFile()) return undefined;
        parts.push(`${file}\0${s.size}\0${s.mtimeMs}`);
      } catch {
        return undefined;
      }
    }
    return parts.join('\n');
  }
}

// The project host over the real file system (Node), for the CLI and the language server. Folder
// listings and the by-name index are cached until `invalidate()`; an overlay supplies the text of
// files open in an editor.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectHost, RecordsSummary } from './project';

const SKIP = new Set(['node_modules', '.git', 'dist', 'out', '.venv', '__pycache__']);
const MAX_INDEXED = 50_000;

export class NodeProjectHost implements ProjectHost {
  private index: Map<string, string[]> | undefined;
  private readonly listings = new Map<string, readonly string[] | undefined>();

  /** Reads TFRecord files for the records checks and hover (the language server's reader). */
  readonly records?: (files: readonly string[]) => RecordsSummary | 'pending' | undefined;

  constructor(
    readonly roots: readonly string[],
    private readonly overlay: (path: string) => string | undefined = () => undefined,
    records?: (files: readonly string[]) => RecordsSummary | 'pending' | undefined,
  ) {
    if (records) this.records = records;
  }

  stat(path: string): 'file' | 'directory' | undefined {
    if (this.overlay(path) !== undefined) return 'file';
    try {
      const s = statSync(path);
      return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  }

  readText(path: string): string | undefined {
    const open = this.overlay(path);
    if (open !== undefined) return open;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  list(dir: string): readonly string[] | undefined {
    if (this.listings.has(dir)) return this.listings.get(dir);
    let names: string[] | undefined;
    try {
      names = readdirSync(dir);
    } catch {
      names = undefined;
    }
    this.listings.set(dir, names);
    return names;
  }

  findByName(name: string): readonly string[] {
    this.index ??= this.buildIndex();
    return this.index.get(name) ?? [];
  }

  /** Forget cached listings (after files were created, deleted or renamed). */
  invalidate(): void {
    this.index = undefined;
    this.listings.clear();
  }

  private buildIndex(): Map<string, string[]> {
    const index = new Map<string, string[]>();
    let count = 0;
    const stack = [...this.roots];
    while (stack.length > 0 && count < MAX_INDEXED) {
      const dir = stack.pop() as string;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) {
          if (!SKIP.has(entry.name) && !entry.name.startsWith('.'))
            stack.push(join(dir, entry.name));
        } else if (entry.isFile()) {
          count++;
          const list = index.get(entry.name) ?? [];
          list.push(join(dir, entry.name));
          index.set(entry.name, list);
        }
      }
    }
    return index;
  }
}

import { posix } from 'node:path';
import type { ProjectHost } from '../../schema/validate';

/**
 * A project host over a listing instead of a file system: the keys under an S3 prefix, seen as
 * files below `root`. Only the files whose text was given can be read; the others exist (for the
 * checks that a path points at something) but have no text.
 */
export class ListedFilesHost implements ProjectHost {
  readonly roots: readonly string[];
  private readonly files = new Set<string>();
  private readonly folders = new Map<string, Set<string>>();

  constructor(
    private readonly root: string,
    relatives: readonly string[],
    private readonly texts: ReadonlyMap<string, string>,
  ) {
    this.roots = [root];
    this.folders.set('', new Set());
    for (const relative of relatives) {
      this.files.add(relative);
      let child = relative;
      for (let dir = posix.dirname(relative); ; dir = posix.dirname(dir)) {
        const key = dir === '.' ? '' : dir;
        const names = this.folders.get(key) ?? new Set<string>();
        names.add(posix.basename(child));
        this.folders.set(key, names);
        if (key === '') break;
        child = dir;
      }
    }
  }

  /** The path relative to the root, or undefined for one outside it. */
  private relative(path: string): string | undefined {
    const normal = path.replace(/\\/g, '/').replace(/\/+$/, '');
    if (normal === this.root) return '';
    return normal.startsWith(`${this.root}/`) ? normal.slice(this.root.length + 1) : undefined;
  }

  stat(path: string): 'file' | 'directory' | undefined {
    const relative = this.relative(path);
    if (relative === undefined) return undefined;
    if (this.files.has(relative)) return 'file';
    return this.folders.has(relative) ? 'directory' : undefined;
  }

  readText(path: string): string | undefined {
    const relative = this.relative(path);
    return relative === undefined ? undefined : this.texts.get(relative);
  }

  list(dir: string): readonly string[] | undefined {
    const relative = this.relative(dir);
    const names = relative === undefined ? undefined : this.folders.get(relative);
    return names ? [...names].sort() : undefined;
  }

  findByName(name: string): readonly string[] {
    return [...this.files]
      .filter((relative) => posix.basename(relative) === name)
      .map((relative) => `${this.root}/${relative}`);
  }
}

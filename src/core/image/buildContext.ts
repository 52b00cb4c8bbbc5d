import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CancelledError } from '../errors';
import { tarHeaders } from '../tar';

/**
 * The build context: the files of a folder that .dockerignore lets through, as a tar stream, the
 * way `docker build` sends them (Docker's own matching rules: patterns in order, the last match
 * wins, `!` re-includes, a pattern that matches a folder matches everything in it).
 */

/**
 * What the repository root's .dockerignore should say for container/Dockerfile: the image needs
 * only its install script, package.json, bin scripts, converter and the bundled entrypoints.
 * Used when the context folder has no .dockerignore of its own.
 */
export const DEFAULT_DOCKERIGNORE = [
  '# The training and serving image needs only these parts of container/.',
  '*',
  '!container/Dockerfile',
  '!container/install.sh',
  '!container/package.json',
  '!container/package-lock.json',
  '!container/bin/',
  '!container/dist/',
  '!container/convert_tflite.py',
  '!container/requirements-tf2.txt',
  '!container/constraints-tf2.txt',
  '!container/requirements-tf1.txt',
  '!container/constraints-tf1.txt',
  '!container/od_api_tf2.py',
  '!container/convert_tfjs.py',
  '!container/local/',
  '',
].join('\n');

interface Pattern {
  readonly text: string;
  readonly exclusion: boolean;
  readonly regex: RegExp;
}

export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(source: string) {
    this.patterns = [];
    for (const raw of source.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const exclusion = line.startsWith('!');
      if (exclusion) line = line.slice(1).trim();
      line = cleanPath(line);
      if (line === '' || line === '.') continue;
      this.patterns.push({ text: line, exclusion, regex: patternRegex(line) });
    }
  }

  /** True when the '/'-separated relative path is left out of the context. */
  ignores(path: string): boolean {
    const clean = cleanPath(path);
    const parents = parentPaths(clean);
    let ignored = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion === !ignored) continue; // cannot change the verdict
      const matches =
        pattern.regex.test(clean) || parents.some((parent) => pattern.regex.test(parent));
      if (matches) ignored = !pattern.exclusion;
    }
    return ignored;
  }

  /**
   * Whether a walk may skip an ignored folder entirely: only when no `!` pattern names something
   * inside it (Docker's own shortcut, so both send the same files).
   */
  canSkipFolder(path: string): boolean {
    if (!this.ignores(path)) return false;
    const prefix = `${cleanPath(path)}/`;
    return !this.patterns.some((p) => p.exclusion && `${p.text}/`.startsWith(prefix));
  }
}

function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function parentPaths(path: string): string[] {
  const parts = path.split('/');
  const parents: string[] = [];
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  return parents;
}

/** Go's filepath.Match syntax plus `**` (any number of folders), anchored at both ends. */
export function patternRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      out += escapeRegex(pattern[i] ?? '');
    } else out += escapeRegex(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export interface ContextFile {
  /** '/'-separated, relative to the context folder. */
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
  /** Where the bytes come from when not `<context>/<path>` (a file added for one build). */
  readonly source?: string;
}

export interface ContextListing {
  readonly files: readonly ContextFile[];
  readonly totalBytes: number;
  /** Where the ignore rules came from: the folder's .dockerignore or DEFAULT_DOCKERIGNORE. */
  readonly ignoreSource: '.dockerignore' | 'default';
}

/**
 * The files a build sends: everything not ignored, plus the Dockerfile and .dockerignore, which
 * Docker always sends. Follows symlinks to files; skips other special files.
 */
export async function listBuildContext(
  contextDir: string,
  dockerfile: string,
  signal?: AbortSignal,
): Promise<ContextListing> {
  let source: string;
  let ignoreSource: ContextListing['ignoreSource'] = '.dockerignore';
  try {
    source = await readFile(join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    source = DEFAULT_DOCKERIGNORE;
    ignoreSource = 'default';
  }
  const ignore = new DockerIgnore(source);
  const always = new Set([cleanPath(dockerfile), '.dockerignore']);
  const files: ContextFile[] = [];
  async function walk(rel: string): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    const entries = await readdir(join(contextDir, rel), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const holdsAlwaysSent = [...always].some((f) => f.startsWith(`${path}/`));
        if (holdsAlwaysSent || !ignore.canSkipFolder(path)) await walk(path);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (ignore.ignores(path) && !always.has(path)) continue;
      const info = await stat(join(contextDir, path)).catch(() => undefined);
      if (!info?.isFile()) continue;
      files.push({ path, size: info.size, mode: info.mode & 0o7777, mtime: info.mtime });
    }
  }
  await walk('');
  return { files, totalBytes: files.reduce((sum, f) => sum + f.size, 0), ignoreSource };
}

/** A tar stream (ustar, PAX headers for long names) of the listed files. */
export function tarBuildContext(
  contextDir: string,
  files: readonly ContextFile[],
  signal?: AbortSignal,
): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const file of files) {
      if (signal?.aborted) throw new CancelledError();
      yield* tarHeaders({
        path: file.path,
        size: file.size,
        mode: file.mode,
        mtime: file.mtime,
        type: 'file',
      });
      let sent = 0;
      if (file.size > 0)
        for await (const chunk of createReadStream(file.source ?? join(contextDir, file.path), {
          end: file.size - 1,
        })) {
          sent += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      if (sent !== file.size)
        throw new Error(`${file.path} changed size while the build context was sent`);
      const pad = (512 - (file.size % 512)) % 512;
      if (pad) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(1024);
  }
  return Readable.from(generate(), { objectMode: false });
}

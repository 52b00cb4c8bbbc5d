import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import pathPlatform, { join, posix, resolve, win32 } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { CancelledError, UserError } from '../errors';
import { tarHeaders } from '../tar';

/**
 * model.tar.gz as SageMaker makes it from /opt/ml/model: a gzip'd POSIX tar of the folder's
 * contents at the archive root (`saved_model/saved_model.pb`, no `./` prefix), folders as their
 * own entries, owner root. And the way back, for serving such an archive locally.
 */

export interface ArchiveEntry {
  /** '/'-separated, relative to the archived folder; folders end with '/'. */
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
  readonly type: 'file' | 'directory';
}

/** The folder's entries in archive order: each folder before its contents, names sorted. */
export async function listModelFolder(dir: string, signal?: AbortSignal): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  async function walk(rel: string): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const info = await stat(join(dir, path)); // follows links, as `tar -h` would
      if (info.isDirectory()) {
        entries.push({
          path: `${path}/`,
          size: 0,
          mode: info.mode & 0o7777,
          mtime: info.mtime,
          type: 'directory',
        });
        await walk(path);
      } else if (info.isFile()) {
        entries.push({
          path,
          size: info.size,
          mode: info.mode & 0o7777,
          mtime: info.mtime,
          type: 'file',
        });
      }
    }
  }
  await walk('');
  return entries;
}

/**
 * Writes `<dir>`'s contents as a gzip'd tar at `destination` (atomically: a reader never sees
 * half an archive). Returns the entries written.
 */
export async function writeModelArchive(
  dir: string,
  destination: string,
  signal?: AbortSignal,
): Promise<ArchiveEntry[]> {
  const entries = await listModelFolder(dir, signal);
  const temporary = `${destination}.${process.pid}.tmp`;
  try {
    await pipeline(
      Readable.from(tarStream(dir, entries, signal)),
      createGzip(),
      createWriteStream(temporary),
      ...(signal ? [{ signal }] : []),
    );
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    if (signal?.aborted) throw new CancelledError();
    throw error;
  }
  return entries;
}

async function* tarStream(
  dir: string,
  entries: readonly ArchiveEntry[],
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    if (signal?.aborted) throw new CancelledError();
    yield* tarHeaders(entry);
    if (entry.type !== 'file' || entry.size === 0) continue;
    let sent = 0;
    for await (const chunk of createReadStream(join(dir, entry.path), { end: entry.size - 1 })) {
      sent += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (sent !== entry.size)
      throw new Error(`${entry.path} changed size while model.tar.gz was written`);
    const pad = (512 - (entry.size % 512)) % 512;
    if (pad) yield Buffer.alloc(pad);
  }
  // The end of a tar archive: two zero blocks.
  yield Buffer.alloc(1024);
}

/**
 * Unpacks a model.tar.gz (ours, SageMaker's, or one made by GNU tar or Python's tarfile) into
 * `destination`. Only files and folders are taken; links and devices are refused, and so is any
 * path that would land outside `destination`.
 */
export async function extractModelArchive(
  archive: string,
  destination: string,
  signal?: AbortSignal,
): Promise<ArchiveEntry[]> {
  const root = resolve(destination);
  const createdRoot = await mkdir(root, { recursive: true });
  const parser = new TarParser(root);
  try {
    await pipeline(
      createReadStream(archive),
      createGunzip(),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          parser.push(chunk).then(() => done(), done);
        },
        flush(done) {
          parser.finish().then(() => done(), done);
        },
      }),
      ...(signal ? [{ signal }] : []),
    );
  } catch (error) {
    // Nothing half-unpacked stays behind: what this call created goes (a file it overwrote keeps
    // the new bytes). The pipeline rejects while a push may still be writing: stop it first.
    await parser.stop();
    await parser.removeWritten();
    if (createdRoot) await rm(root, { recursive: true, force: true });
    if (signal?.aborted) throw new CancelledError();
    if (error instanceof UserError) throw error;
    throw new UserError(
      `cannot unpack ${archive}: ${(error as Error).message}`,
      'Give a model.tar.gz as a training job writes it (a gzip-compressed tar)',
      { cause: error },
    );
  }
  return parser.entries;
}

/** Whether a model path names a model.tar.gz rather than a folder. */
export function isModelArchive(path: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(path);
}

/**
 * Unpacks a model.tar.gz into a new temporary folder, for running the model in this process.
 * `remove()` deletes the folder (the caller's job when done, and done here when unpacking fails).
 */
export async function unpackModelArchive(
  archive: string,
  signal?: AbortSignal,
): Promise<{ readonly dir: string; readonly remove: () => Promise<void> }> {
  if (!(await stat(archive).catch(() => undefined)))
    throw new UserError(`${archive} does not exist`, 'Give a model folder or a model.tar.gz');
  const dir = await mkdtemp(join(tmpdir(), 'tfod-model-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await extractModelArchive(archive, dir, signal);
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/** The largest PAX or GNU long-name header read (they hold paths and a few numbers). */
const MAX_EXTENDED_HEADER = 1024 * 1024;

/** A streaming ustar/PAX/GNU reader that writes what it reads. */
class TarParser {
  readonly entries: ArchiveEntry[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private pending:
    | {
        entry: ArchiveEntry | undefined;
        file?: FileHandle;
        chunks: Buffer[];
        left: number;
        pad: number;
      }
    | undefined;
  private nextPath: string | undefined;
  /** A PAX `size` record for the next entry: it overrides the header's field (files over 8 GiB). */
  private nextSize: number | undefined;
  private ended = false;
  /** Files and folders this parser created, in order, so a refusal can remove them. */
  private readonly written: string[] = [];

  constructor(private readonly root: string) {}

  async removeWritten(): Promise<void> {
    await this.pending?.file?.close().catch(() => undefined);
    this.pending = undefined;
    for (const path of [...this.written].reverse())
      await rm(path, { recursive: true, force: true });
  }

  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  /** Makes the push in progress stop at its next step and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running.catch(() => undefined);
  }

  push(chunk: Buffer): Promise<void> {
    this.running = this.consume(chunk);
    return this.running;
  }

  private async consume(chunk: Buffer): Promise<void> {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.stopped) throw new Error('unpacking was stopped');
      if (this.ended) {
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.pending) {
        if (!(await this.readData())) return;
        continue;
      }
      if (this.buffer.length < 512) return;
      const header = this.buffer.subarray(0, 512);
      this.buffer = this.buffer.subarray(512);
      await this.readHeader(header);
    }
  }

  async finish(): Promise<void> {
    if (this.pending) {
      await this.pending.file?.close();
      throw new Error('the archive ends in the middle of a file');
    }
    if (!this.ended && this.buffer.length > 0)
      throw new Error('the archive ends in the middle of a header');
  }

  /** Consumes file data (and padding); true when the current entry is complete. */
  private async readData(): Promise<boolean> {
    const pending = this.pending!;
    if (pending.left > 0) {
      const take = Math.min(pending.left, this.buffer.length);
      if (take === 0) return false;
      const piece = this.buffer.subarray(0, take);
      this.buffer = this.buffer.subarray(take);
      pending.left -= take;
      // File data goes straight to disk (models run to gigabytes); headers are kept.
      if (pending.file) await pending.file.write(piece);
      else pending.chunks.push(piece);
      if (pending.left > 0) return false;
    }
    if (this.buffer.length < pending.pad) return false;
    this.buffer = this.buffer.subarray(pending.pad);
    this.pending = undefined;
    if (pending.entry) {
      await pending.file?.close();
      this.entries.push(pending.entry);
    } else {
      this.extendedHeader(Buffer.concat(pending.chunks));
    }
    return true;
  }

  private pendingMeta: 'pax' | 'gnu-long-name' | undefined;

  private extendedHeader(data: Buffer): void {
    if (this.pendingMeta === 'gnu-long-name') {
      this.nextPath = data.toString('utf8').replace(/\0.*$/s, '');
    } else if (this.pendingMeta === 'pax') {
      for (const match of data.toString('utf8').matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) {
        if (match[1] === 'path') this.nextPath = match[2];
        else if (match[1] === 'size') {
          if (!/^\d{1,16}$/.test(match[2] ?? ''))
            throw new Error(`a PAX size record says '${match[2]}', which is not a size`);
          this.nextSize = Number(match[2]);
        }
      }
    }
    this.pendingMeta = undefined;
  }

  private async readHeader(header: Buffer): Promise<void> {
    if (header.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    const text = (offset: number, length: number) =>
      header
        .subarray(offset, offset + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const octal = (offset: number, length: number) =>
      parseInt(text(offset, length).trim() || '0', 8);
    // GNU tar writes numbers too large for octal (files over 8 GiB) in base 256: the first byte's
    // high bit set, the rest big-endian.
    const number = (offset: number, length: number) => {
      if (((header[offset] ?? 0) & 0x80) === 0) return octal(offset, length);
      let value = (header[offset] ?? 0) & 0x7f;
      for (let i = 1; i < length; i++) value = value * 256 + (header[offset + i] ?? 0);
      if (!Number.isSafeInteger(value))
        throw new Error('a header declares a size too large to hold');
      return value;
    };
    let checksum = 0;
    for (let i = 0; i < 512; i++) checksum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
    if (checksum !== octal(148, 8)) throw new Error('not a tar archive (bad header checksum)');
    const type = text(156, 1) || '0';
    const extended = type === 'x' || type === 'L' || type === 'g';
    // A PAX size record is about the file entry that follows, not another extended header.
    const size = (extended ? undefined : this.nextSize) ?? number(124, 12);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new Error('a header declares a size that is not a size');
    const pad = (512 - (size % 512)) % 512;
    const magic = text(257, 6);
    const prefix = magic.startsWith('ustar') ? text(345, 155) : '';
    const name = this.nextPath ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    // Extended headers are kept in memory: a real one is a few hundred bytes.
    if (extended && size > MAX_EXTENDED_HEADER)
      throw new Error(`an extended header declares ${size} bytes, more than any real one holds`);
    if (type === 'x' || type === 'L') {
      this.pendingMeta = type === 'x' ? 'pax' : 'gnu-long-name';
      this.pending = { entry: undefined, chunks: [], left: size, pad };
      return;
    }
    this.nextPath = undefined;
    this.nextSize = undefined;
    const mode = octal(100, 8);
    const mtime = new Date(octal(136, 12) * 1000);
    const path = name.replace(/^(\.\/)+/, '');
    if (type === 'g') {
      // A global PAX header: nothing in it matters here.
      this.pending = { entry: undefined, chunks: [], left: size, pad };
      return;
    }
    if (type === '5') {
      if (path !== '' && path !== '.') {
        const made = await mkdir(safeEntryPath(this.root, path), { recursive: true });
        if (made) this.written.push(made);
        this.entries.push({
          path: path.endsWith('/') ? path : `${path}/`,
          size: 0,
          mode,
          mtime,
          type: 'directory',
        });
      }
      return;
    }
    if (type !== '0' && type !== '7') {
      throw new UserError(
        `the archive holds '${path}', a ${type === '1' || type === '2' ? 'link' : 'special file'}, which a model folder must not`,
        'Package the model folder with its files only (as a training job does)',
      );
    }
    const target = safeEntryPath(this.root, path);
    const made = await mkdir(join(target, '..'), { recursive: true });
    if (made) this.written.push(made);
    const existed = await stat(target).catch(() => undefined);
    const file = await open(target, 'w', mode & 0o777 || 0o644);
    if (!existed) this.written.push(target);
    this.pending = {
      entry: { path, size, mode, mtime, type: 'file' },
      file,
      chunks: [],
      left: size,
      pad,
    };
  }
}

/**
 * Where an archive entry lands under `root`, or a UserError when it would land anywhere else, on
 * this platform or the other (`platform` is `path.posix` or `path.win32`; tests use both): an
 * absolute path, a drive (`D:/x`, `D:x`), a UNC share (`\\\\srv\\share\\x`), or any `..` step, with
 * either separator.
 */
export function safeEntryPath(
  root: string,
  name: string,
  platform: typeof posix = pathPlatform,
): string {
  const refuse = () =>
    new UserError(
      `the archive holds '${name.length > 200 ? `${name.slice(0, 200)}…` : name}', which would land outside the folder it is unpacked into`,
      'Package the model folder with relative paths only (as a training job does)',
    );
  const steps = name.split(/[\\/]/);
  if (
    name.includes('\0') ||
    /^[A-Za-z]:/.test(name) ||
    posix.isAbsolute(name) ||
    win32.isAbsolute(name) ||
    steps.includes('..')
  )
    throw refuse();
  const target = platform.resolve(root, ...steps.filter((step) => step !== '' && step !== '.'));
  const rel = platform.relative(root, target);
  if (rel === '' || platform.isAbsolute(rel) || rel.split(platform.sep).includes('..'))
    throw refuse();
  return target;
}

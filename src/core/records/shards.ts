import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { globToRegExp } from '../../schema/validate';

/**
 * Sharded TFRecord names, `<name>-<i>-of-<n>` with zero-padded numbers (`train.record-00000-of-00004`,
 * as the Object Detection API's tools and `tfod sample` write them). One shard's name, or the
 * pattern an input_path holds (`train.record-?????-of-00004`, any `*`/`?` glob, matched as the validator matches input_path), stands for the
 * whole set; shards the set should have but the folder lacks are said, not silently left out.
 */
export interface RecordFileSet {
  /** Existing files, in shard (name) order. */
  readonly files: readonly string[];
  /** Shards named by the pattern's `-of-<n>` that are not there. */
  readonly missing: readonly string[];
}

const SHARD = /^(.*)-(\d+)-of-(\d+)$/;
const SHARD_PATTERN = /^(.*)-(\?+|\*)-of-(\d+)$/;

/** The name of shard `index` (0-based) of `count`, numbers padded to `digits` (the API's 5). */
export function shardName(prefix: string, index: number, count: number, digits = 5): string {
  const pad = (n: number) => String(n).padStart(digits, '0');
  return `${prefix}-${pad(index)}-of-${pad(count)}`;
}

/** The shard names of a sharded path or pattern, or undefined when the path is not one. */
export function shardNames(path: string): string[] | undefined {
  const name = basename(path);
  const match = SHARD.exec(name) ?? SHARD_PATTERN.exec(name);
  if (!match) return undefined;
  const [, prefix, index, total] = match as unknown as [string, string, string, string];
  const count = Number(total);
  // A count of 0, or one too large to be a shard count, is a file named like that, not a set.
  if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) return undefined;
  const digits = /^\d+$/.test(index) ? index.length : total.length;
  const dir = dirname(path);
  return Array.from({ length: count }, (_, i) => join(dir, shardName(prefix, i, count, digits)));
}

/** Whether a name has glob characters (`*`, `?`, `[...]`) that `expandRecordPath` matches. */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(basename(path));
}

/**
 * The files a records path stands for: a shard's name or a shard pattern gives every shard of its
 * set, a glob (in the file name only, as tf.io.gfile.glob is used by the API) its matches, any other
 * path itself. A folder that cannot be listed throws the file system's error.
 */
export async function expandRecordPath(path: string): Promise<RecordFileSet> {
  const shards = shardNames(path);
  const dir = dirname(path);
  if (shards && !isGlob(path)) return present(shards, new Set(await readdir(dir).catch(() => [])));
  if (!isGlob(path)) return { files: [path], missing: [] };
  const entries = await readdir(dir);
  const pattern = globToRegExp(basename(path));
  const matched = entries.filter((name) => pattern.test(name)).sort();
  if (shards) {
    // Every shard the pattern names is expected; others that match (another -of-) are kept too.
    const set = present(shards, new Set(entries));
    const extra = matched.map((name) => join(dir, name)).filter((file) => !shards.includes(file));
    return { files: [...set.files, ...extra].sort(), missing: set.missing };
  }
  return { files: matched.map((name) => join(dir, name)), missing: [] };
}

function present(shards: readonly string[], names: ReadonlySet<string>): RecordFileSet {
  const files: string[] = [];
  const missing: string[] = [];
  for (const shard of shards) (names.has(basename(shard)) ? files : missing).push(shard);
  return { files, missing };
}

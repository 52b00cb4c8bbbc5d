import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';

/**
 * What a training folder holds, told from file names alone: TFRecord files (single or sharded,
 * for training or evaluation), the pipeline config, the label map, and pre-trained checkpoints.
 * Used by the container to find its channels' contents and by the extension to check a folder
 * before it uploads or trains.
 */

export type RecordRole = 'train' | 'eval' | 'unknown';

export interface TfRecordSet {
  readonly role: RecordRole;
  /** What to write into input_path: the file itself, or a glob over its shards. */
  readonly pattern: string;
  /** The files found, relative to the folder, in order. */
  readonly files: readonly string[];
  /** For sharded sets: how many shards the names announce ("-of-00010"). */
  readonly expectedShards?: number;
  /** For sharded sets: shard numbers announced but not found. */
  readonly missingShards?: readonly number[];
}

const SHARD = /^(.*)-(\d{5})-of-(\d{5})$/;
const RECORD_NAME = /\.(tf)?records?(-\d{5}-of-\d{5})?$|\.tfrecord(-\d{5}-of-\d{5})?$/i;

export function isTfRecordName(path: string): boolean {
  return RECORD_NAME.test(posix.basename(path));
}

/** train.record, trainval.record -> train; val.record, eval*, validation*, test* -> eval. */
export function recordRole(path: string): RecordRole {
  const name = posix.basename(path).toLowerCase();
  if (/(^|[^a-z])(val|valid|validation|eval|evaluation|test|testing)([^a-z]|$)/.test(name))
    return 'eval';
  if (/(^|[^a-z])train(ing|val)?([^a-z]|$)/.test(name)) return 'train';
  return 'unknown';
}

/** Groups TFRecord paths into sets, one per single file or per family of shards. */
export function groupTfRecords(paths: readonly string[]): TfRecordSet[] {
  const sharded = new Map<string, { files: string[]; of: number; numbers: Set<number> }>();
  const sets: TfRecordSet[] = [];
  for (const path of [...paths].filter(isTfRecordName).sort()) {
    const shard = SHARD.exec(path);
    if (shard) {
      const key = `${shard[1]}-of-${shard[3]}`;
      const family = sharded.get(key) ?? {
        files: [],
        of: Number(shard[3]),
        numbers: new Set<number>(),
      };
      family.files.push(path);
      family.numbers.add(Number(shard[2]));
      sharded.set(key, family);
    } else {
      sets.push({ role: recordRole(path), pattern: path, files: [path] });
    }
  }
  for (const [key, family] of sharded) {
    const base = key.slice(0, key.lastIndexOf('-of-'));
    const of = String(family.of).padStart(5, '0');
    const missing: number[] = [];
    for (let i = 0; i < family.of; i++) if (!family.numbers.has(i)) missing.push(i);
    sets.push({
      role: recordRole(base),
      pattern: `${base}-?????-of-${of}`,
      files: family.files,
      expectedShards: family.of,
      missingShards: missing,
    });
  }
  return sets.sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export interface CheckpointInfo {
  /** The prefix to give fine_tune_checkpoint, relative to the folder ("model.ckpt", "checkpoint/ckpt-0"). */
  readonly prefix: string;
  /** TF1 checkpoints are "model.ckpt"-style; TF2 object-based ones live in "checkpoint/ckpt-N". */
  readonly format: 'tf1' | 'tf2';
  readonly files: readonly string[];
}

/** Finds complete checkpoints (an .index plus at least one .data-NNNNN-of-NNNNN file). */
export function findCheckpoints(paths: readonly string[]): CheckpointInfo[] {
  const found: CheckpointInfo[] = [];
  for (const index of paths.filter((p) => p.endsWith('.index')).sort()) {
    const prefix = index.slice(0, -'.index'.length);
    const data = paths.filter((p) => p.startsWith(`${prefix}.data-`));
    if (data.length === 0) continue;
    const base = posix.basename(prefix);
    found.push({
      prefix,
      format: /^ckpt-\d+$/.test(base) ? 'tf2' : 'tf1',
      files: [index, ...data.sort()],
    });
  }
  // The newest TF2 checkpoint and the plain TF1 "model.ckpt" come first: they are what model-zoo
  // archives ship and what fine-tuning should start from.
  return found.sort(
    (a, b) => checkpointRank(b) - checkpointRank(a) || a.prefix.localeCompare(b.prefix),
  );
}

function checkpointRank(checkpoint: CheckpointInfo): number {
  const base = posix.basename(checkpoint.prefix);
  if (base === 'model.ckpt') return 1e9;
  const step = /-(\d+)$/.exec(base);
  return step ? Number(step[1]) : 0;
}

const LABEL_MAP = /\.(pbtxt|prototxt|txtpb|textproto)$/i;
const PIPELINE = /\.config$/i;

export interface TrainingFolder {
  readonly files: readonly string[];
  readonly pipelineConfigs: readonly string[];
  readonly labelMaps: readonly string[];
  readonly records: readonly TfRecordSet[];
  readonly checkpoints: readonly CheckpointInfo[];
}

/**
 * The pre-trained model folder a checkpoint belongs to ('' when it lies at the top): the folder
 * of `model.ckpt` (TF1), or the parent of `checkpoint/` (TF2), as model-zoo archives unpack.
 */
export function checkpointModelDir(checkpoint: CheckpointInfo): string {
  let dir = posix.dirname(checkpoint.prefix);
  if (dir === '.') dir = '';
  if (checkpoint.format === 'tf2' && posix.basename(dir) === 'checkpoint') {
    dir = posix.dirname(dir);
    if (dir === '.') dir = '';
  }
  return dir;
}

/** Sorts a folder's relative paths into the parts of a training project. */
export function describeTrainingFiles(files: readonly string[]): TrainingFolder {
  const checkpoints = findCheckpoints(files);
  // A model-zoo folder ships its own pipeline.config: the project's config comes first, wherever
  // it is and whatever its name, and the zoo's is used only when there is no other.
  const modelDirs = checkpoints.map(checkpointModelDir).filter((dir) => dir !== '');
  const inModel = (path: string) => modelDirs.some((dir) => path.startsWith(`${dir}/`));
  const byPreference = preferShallow('pipeline.config');
  return {
    files,
    pipelineConfigs: files
      .filter((f) => PIPELINE.test(f))
      .sort((a, b) => Number(inModel(a)) - Number(inModel(b)) || byPreference(a, b)),
    labelMaps: files.filter((f) => LABEL_MAP.test(f)).sort(preferShallow('label_map.pbtxt')),
    records: groupTfRecords(files),
    checkpoints,
  };
}

/** Files named like the seed's layout first, then shallower paths, then alphabetical. */
function preferShallow(preferred: string): (a: string, b: string) => number {
  const score = (p: string) =>
    (posix.basename(p) === preferred ? 0 : 1) * 100 + p.split('/').length;
  return (a, b) => score(a) - score(b) || a.localeCompare(b);
}

/** Lists files under a folder as '/'-separated relative paths, following no symlinked folders. */
export async function listFiles(root: string, maxDepth = 6): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string, depth: number): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (depth < maxDepth && !entry.name.startsWith('.'))
          await walk(join(dir, entry.name), path, depth + 1);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        out.push(path);
      }
    }
  }
  await walk(root, '', 0);
  return out.sort();
}

import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { UserError } from '../errors';
import { configProblems, folderChannel } from '../training/configCheck';
import {
  checkpointModelDir,
  describeTrainingFiles,
  listFiles,
  type CheckpointInfo,
  type TrainingFolder,
} from '../training/resources';
import { formatS3Uri, joinKey, parseS3Prefix, type S3Location } from './uri';

/**
 * Which files of a training folder go where in S3, in the seed's layout:
 *
 *   s3://bucket/prefix/train.record-00000-of-00002   TFRecords, flattened to the prefix root
 *   s3://bucket/prefix/pipeline.config               the pipeline config, under this name
 *   s3://bucket/prefix/label_map.pbtxt               the label map, under this name
 *   s3://bucket/prefix/<model folder>/...            the pre-trained model folder, as it is
 *
 * so that the training channel is the prefix and the checkpoint channel the model folder.
 */

export type PlannedRole = 'record' | 'pipeline-config' | 'label-map' | 'model';

export interface PlannedFile {
  /** Absolute path on disk. */
  readonly path: string;
  /** Path relative to the training folder, '/'-separated. */
  readonly relative: string;
  readonly key: string;
  readonly size: number;
  readonly role: PlannedRole;
}

export type UploadProblemCode =
  | 'no-pipeline-config'
  | 'no-label-map'
  | 'no-records'
  | 'missing-shards'
  | 'no-checkpoint'
  | 'incomplete-checkpoint'
  | 'key-collision'
  | 'invalid-config'
  | 'invalid-label-map';

/** Something that keeps the folder from training; the caller decides whether to go on. */
export interface UploadProblem {
  readonly code: UploadProblemCode;
  readonly message: string;
  readonly fix: string;
  /** Where the first error of an invalid config or label map is. */
  readonly at?: { readonly file: string; readonly line: number; readonly column: number };
}

export interface UploadPlan {
  readonly folder: string;
  readonly destination: S3Location;
  readonly files: readonly PlannedFile[];
  readonly totalBytes: number;
  /** Empty when the folder has everything a training job needs. */
  readonly problems: readonly UploadProblem[];
  /** Choices made that the user may want to know about (which of two configs was taken). */
  readonly notes: readonly string[];
  /** Files of the folder left out of the upload (images, notes, other configs). */
  readonly ignored: readonly string[];
  /** The S3 prefixes to give the training job's channels. */
  readonly channels: { readonly training: string; readonly checkpoint?: string };
  readonly training: TrainingFolder;
}

export const PIPELINE_KEY = 'pipeline.config';
export const LABEL_MAP_KEY = 'label_map.pbtxt';
/** Where a checkpoint lying loose at the folder's root goes. */
export const LOOSE_CHECKPOINT_FOLDER = 'checkpoint';

/** Lists the folder, checks it, and maps its files to keys under the destination prefix. */
export async function planUpload(
  folder: string,
  destination: string | S3Location,
): Promise<UploadPlan> {
  const prefix =
    typeof destination === 'string'
      ? parseS3Prefix(destination)
      : parseS3Prefix(formatS3Uri(destination));
  let files: string[];
  try {
    files = await listFiles(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read the training folder ${folder} (${code ?? String(error)})`,
      'Choose a folder that exists and that you may read',
      { cause: error },
    );
  }
  const layout = layoutTrainingFolder(files);
  const sizes = await Promise.all(
    layout.entries.map(async (entry) => (await stat(join(folder, entry.relative))).size),
  );
  const planned = layout.entries.map((entry, i) => ({
    path: join(folder, entry.relative),
    relative: entry.relative,
    key: joinKey(prefix.key, entry.key),
    size: sizes[i] ?? 0,
    role: entry.role,
  }));
  return {
    folder,
    destination: prefix,
    files: planned,
    totalBytes: planned.reduce((sum, file) => sum + file.size, 0),
    problems: [...layout.problems, ...(await contentProblems(folder, layout.training))],
    notes: layout.notes,
    ignored: layout.ignored,
    channels: {
      training: formatS3Uri(prefix),
      ...(layout.checkpointFolder !== undefined
        ? {
            checkpoint: formatS3Uri({
              bucket: prefix.bucket,
              key: joinKey(prefix.key, `${layout.checkpointFolder}/`),
            }),
          }
        : {}),
    },
    training: layout.training,
  };
}

export interface FolderLayout {
  readonly entries: ReadonlyArray<{ relative: string; key: string; role: PlannedRole }>;
  readonly problems: UploadProblem[];
  readonly notes: string[];
  readonly ignored: string[];
  /** The checkpoint channel's folder relative to the prefix, when there is a checkpoint. */
  readonly checkpointFolder?: string;
  readonly training: TrainingFolder;
}

/** The pure part of planUpload: relative paths in, relative keys and problems out. */
export function layoutTrainingFolder(files: readonly string[]): FolderLayout {
  const training = describeTrainingFiles(files);
  const problems: UploadProblem[] = [];
  const notes: string[] = [];
  const entries: Array<{ relative: string; key: string; role: PlannedRole }> = [];

  // The pre-trained model folder first: its own pipeline.config (model-zoo archives ship one)
  // must not be taken for the project's.
  const checkpoint = training.checkpoints[0];
  const model = checkpoint ? modelFolderOf(checkpoint) : undefined;
  const inModel = (path: string) =>
    model !== undefined && model.dir !== '' && path.startsWith(`${model.dir}/`);
  problems.push(...checkpointProblems(files, training.checkpoints));
  if (!checkpoint && !problems.some((p) => p.code === 'incomplete-checkpoint'))
    problems.push({
      code: 'no-checkpoint',
      message:
        'no pre-trained checkpoint: no folder with model.ckpt.index and model.ckpt.data-* (TF1) or checkpoint/ckpt-0.index and ckpt-0.data-* (TF2)',
      fix: 'Download a model from the TF2 or TF1 detection model zoo and unpack it into the training folder',
    });
  if (checkpoint && model) {
    if (training.checkpoints.length > 1)
      notes.push(
        `several checkpoints found; using ${checkpoint.prefix} (others: ${training.checkpoints
          .slice(1)
          .map((c) => c.prefix)
          .join(', ')})`,
      );
    if (model.dir === '') {
      // A checkpoint loose at the root: its files (and TF's "checkpoint" state file) only.
      const dir = posix.dirname(checkpoint.prefix);
      const state = dir === '.' ? 'checkpoint' : `${dir}/checkpoint`;
      const loose = [...checkpoint.files, ...(files.includes(state) ? [state] : [])];
      for (const relative of loose)
        entries.push({
          relative,
          key:
            checkpoint.format === 'tf2'
              ? relative
              : `${LOOSE_CHECKPOINT_FOLDER}/${posix.basename(relative)}`,
          role: 'model',
        });
    } else {
      for (const relative of files.filter(inModel))
        entries.push({
          relative,
          key: `${model.name}/${relative.slice(model.dir.length + 1)}`,
          role: 'model',
        });
    }
  }

  const configs = training.pipelineConfigs.filter((p) => !inModel(p));
  const pipeline = configs[0];
  if (pipeline) {
    entries.push({ relative: pipeline, key: PIPELINE_KEY, role: 'pipeline-config' });
    if (configs.length > 1)
      notes.push(
        `several pipeline configs; using ${pipeline} (not ${configs.slice(1).join(', ')})`,
      );
  } else {
    problems.push({
      code: 'no-pipeline-config',
      message: 'no pipeline config (pipeline.config or another *.config file)',
      fix: "Add the pipeline.config for training (the pre-trained model's own config is a starting point)",
    });
  }

  const labelMaps = training.labelMaps.filter((p) => !inModel(p));
  const labelMap = labelMaps[0];
  if (labelMap) {
    entries.push({ relative: labelMap, key: LABEL_MAP_KEY, role: 'label-map' });
    if (labelMaps.length > 1)
      notes.push(`several label maps; using ${labelMap} (not ${labelMaps.slice(1).join(', ')})`);
  } else {
    problems.push({
      code: 'no-label-map',
      message: 'no label map (label_map.pbtxt or another *.pbtxt file)',
      fix: "Add a label map with one item { id: N name: '...' } per class",
    });
  }

  const records = training.records.filter((set) => !set.files.some(inModel));
  if (records.length === 0) {
    problems.push({
      code: 'no-records',
      message: 'no TFRecord files (*.record, *.tfrecord, or sharded *-00000-of-0000N)',
      fix: 'Convert your annotated images to TFRecords (e.g. with the Object Detection API’s create_*_tf_record scripts) and put them in the folder',
    });
  } else if (!records.some((set) => set.role === 'train')) {
    notes.push(
      `no TFRecords named for training (train*.record); found ${records.map((r) => r.pattern).join(', ')}`,
    );
  }
  for (const set of records) {
    if (set.missingShards && set.missingShards.length > 0) {
      const of = String(set.expectedShards ?? 0).padStart(5, '0');
      const names = set.missingShards.map(
        (n) =>
          `${posix.basename(set.pattern.replace(/-\?{5}-of-\d{5}$/, ''))}-${String(n).padStart(5, '0')}-of-${of}`,
      );
      problems.push({
        code: 'missing-shards',
        message: `${set.pattern}: ${set.missingShards.length} of ${set.expectedShards} shards missing (${abbreviate(names)})`,
        fix: 'Copy the missing shards into the folder, or regenerate the TFRecords',
      });
    }
    for (const relative of set.files)
      entries.push({ relative, key: posix.basename(relative), role: 'record' });
  }

  // Two files for one key would silently overwrite each other.
  const byKey = new Map<string, string[]>();
  for (const entry of entries)
    byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry.relative]);
  for (const [key, sources] of byKey)
    if (sources.length > 1)
      problems.push({
        code: 'key-collision',
        message: `${sources.join(' and ')} would both be uploaded as ${key}`,
        fix: 'Rename or remove one of them',
      });

  const used = new Set(entries.map((e) => e.relative));
  return {
    entries,
    problems,
    notes,
    ignored: files.filter((f) => !used.has(f)),
    ...(model ? { checkpointFolder: model.dir === '' ? LOOSE_CHECKPOINT_FOLDER : model.name } : {}),
    training,
  };
}

/** The model folder around a checkpoint: TF2's "<model>/checkpoint/ckpt-0" belongs to <model>. */
function modelFolderOf(checkpoint: CheckpointInfo): { dir: string; name: string } {
  const dir = checkpointModelDir(checkpoint);
  return { dir, name: dir === '' ? LOOSE_CHECKPOINT_FOLDER : posix.basename(dir) };
}

/** Index files without data, data without an index, and data shards missing from a checkpoint. */
function checkpointProblems(
  files: readonly string[],
  complete: readonly CheckpointInfo[],
): UploadProblem[] {
  const problems: UploadProblem[] = [];
  const completePrefixes = new Set(complete.map((c) => c.prefix));
  const DATA = /^(.*)\.data-(\d{5})-of-(\d{5})$/;
  const prefixes = new Set<string>();
  for (const file of files) {
    if (file.endsWith('.index')) prefixes.add(file.slice(0, -'.index'.length));
    const data = DATA.exec(file);
    if (data?.[1]) prefixes.add(data[1]);
  }
  for (const prefix of [...prefixes].sort()) {
    const hasIndex = files.includes(`${prefix}.index`);
    const data = files.filter((f) => f.startsWith(`${prefix}.data-`) && DATA.test(f));
    if (!completePrefixes.has(prefix)) {
      problems.push({
        code: 'incomplete-checkpoint',
        message: hasIndex
          ? `checkpoint ${prefix}: ${prefix}.index has no ${posix.basename(prefix)}.data-* files`
          : `checkpoint ${prefix}: ${posix.basename(prefix)}.data-* files have no ${posix.basename(prefix)}.index`,
        fix: 'Unpack the pre-trained model archive again; a checkpoint needs its .index and all .data-* files',
      });
      continue;
    }
    const of = Number(DATA.exec(data[0] ?? '')?.[3] ?? 0);
    const present = new Set(data.map((f) => Number(DATA.exec(f)?.[2])));
    const missing = [];
    for (let i = 0; i < of; i++) if (!present.has(i)) missing.push(i);
    if (missing.length > 0)
      problems.push({
        code: 'incomplete-checkpoint',
        message: `checkpoint ${prefix}: data shards ${abbreviate(missing.map((n) => `${posix.basename(prefix)}.data-${String(n).padStart(5, '0')}-of-${String(of).padStart(5, '0')}`))} are missing`,
        fix: 'Unpack the pre-trained model archive again; a checkpoint needs its .index and all .data-* files',
      });
  }
  return problems;
}

function abbreviate(items: readonly string[], max = 5): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** One UserError listing every problem, for callers that refuse to upload an incomplete folder. */
export function planProblemsError(plan: Pick<UploadPlan, 'folder' | 'problems'>): UserError {
  const lines = plan.problems.map((p) => `- ${p.message}`).join('\n');
  const fixes = [...new Set(plan.problems.map((p) => p.fix))].join('; ');
  return new UserError(
    `${plan.folder} is not ready for training (${plan.problems.length} problem${plan.problems.length === 1 ? '' : 's'}):\n${lines}`,
    fixes,
  );
}

/**
 * The pipeline config and label map checked with the same validator as the editor: an error here
 * is one the training job would fail on, so uploading is pointless until it is fixed.
 */
function contentProblems(folder: string, training: TrainingFolder): Promise<UploadProblem[]> {
  return configProblems(
    folderChannel(folder),
    training,
    (file) =>
      `Fix ${file} (the editor underlines the errors; \`tfod validate ${file}\` lists them) and upload again`,
  );
}

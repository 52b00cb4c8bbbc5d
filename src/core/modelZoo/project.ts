// A new training project from a zoo model: the archive from the shared cache (downloaded when
// missing), its checkpoint and pipeline.config copied into the project, and pipeline.config
// rewritten with minimal text edits (pipelineRewrite.ts, on the one text-format parser) so that it
// validates with no error and no warning: num_classes from the label map, the checkpoint prefix,
// `fine_tune_checkpoint_type: "detection"`, (TF2) `fine_tune_checkpoint_version: V2` and
// `use_moving_average: false`, the label map and TFRecord paths, a batch size that fits, TPU-only
// options off. What is left is fixed by the validator's own quick fixes.

import {
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../schema';
import { NodeProjectHost, validateText, type ValidationDiagnostic } from '../../schema/validate';
import { applyEdits, LineIndex } from '../../textproto';
import { CancelledError, UserError } from '../errors';
import { TRAINING_INSTANCE_TYPES } from '../jobs/instanceTypes';
import { extractModelArchive } from '../local/modelArchive';
import { rewritePipelineConfig, type PipelineChange } from '../training/pipelineRewrite';
import { findZooModel, MODEL_ZOO, type ZooModel } from './catalogue';
import { defaultCacheDir, downloadZooArchive, type DownloadOptions } from './download';
import { labelMapText, readRecordClasses, type RecordClasses } from './recordClasses';

export interface InitOptions extends DownloadOptions {
  /** The project folder (created when missing; must not hold a pipeline.config yet). */
  readonly dir: string;
  /** A zoo model name (`ssd_mobilenet_v2_320x320_coco17_tpu-8`) or a ZooModel. */
  readonly model: string | ZooModel;
  /** The TF version the project trains with; decides the zoo when a name is in both. */
  readonly tf?: 1 | 2 | undefined;
  /**
   * A label map to copy into the project; num_classes follows its largest id. Without one, the
   * classes of `records` give num_classes and a label_map.pbtxt written into the project.
   */
  readonly labelMap?: string | undefined;
  /** The training TFRecords (a file or a glob relative to `dir`, as the config will name them). */
  readonly records?: string | undefined;
  readonly evalRecords?: string | undefined;
  readonly numSteps?: number | undefined;
  /** Overrides the batch size chosen for this machine (or the instance type). */
  readonly batchSize?: number | undefined;
  /** A SageMaker training instance type: the batch size is chosen for its memory instead. */
  readonly instanceType?: string | undefined;
  /** Progress lines for the user (stages, not bytes). */
  readonly log?: ((line: string) => void) | undefined;
}

export interface InitResult {
  readonly model: ZooModel;
  readonly configPath: string;
  /** As written in the config, relative to the project folder. */
  readonly checkpoint: string;
  readonly changes: readonly PipelineChange[];
  /** The classes read from the records, when the label map was written from them. */
  readonly recordClasses?: RecordClasses;
  /** What the final validation still says (empty on success: no error, no warning). */
  readonly remaining: readonly string[];
}

/** The zoo model for a name and an optional TF version, or a UserError that lists the choices. */
export function resolveZooModel(name: string, tf?: 1 | 2): ZooModel {
  const model = findZooModel(name, tf);
  if (model) return model;
  const other = tf ? findZooModel(name, tf === 1 ? 2 : 1) : undefined;
  if (other)
    throw new UserError(
      `${name} is a TF${other.tf} zoo model, not TF${tf}`,
      `Drop --tf, or pick a TF${tf} model (tfod init --list --tf ${tf})`,
    );
  const close = MODEL_ZOO.filter((m) => m.name.includes(name.replace(/[_-]coco.*$/, '')))
    .slice(0, 3)
    .map((m) => m.name);
  throw new UserError(
    `${name} is not in the model zoo`,
    close.length > 0
      ? `Did you mean ${close.join(', ')}? tfod init --list shows them all`
      : 'tfod init --list shows the models',
  );
}

/**
 * A batch size this machine's memory carries: the zoo's batch sizes are for 8 TPU cores or GPUs.
 * Rule of thumb (ours): about 0.5 GB per 320 x 320 image in training, a quarter of the memory for
 * the batch, never above the config's own size.
 */
export function batchSizeFor(
  model: ZooModel,
  configured: number,
  memoryBytes = totalmem(),
): number {
  const sides = model.inputSize.split(/[x-]/).map(Number);
  const pixels = (sides[0] ?? 640) * (sides[sides.length - 1] ?? 640);
  const perImage = 0.5e9 * (pixels / (320 * 320));
  const fits = Math.floor(memoryBytes / 4 / perImage);
  return Math.max(1, Math.min(configured, fits));
}

/**
 * The memory that holds a training batch on a SageMaker instance type: its GPUs' memory, or its
 * RAM for a CPU type (from the descriptions in core/jobs/instanceTypes.ts).
 */
export function instanceMemoryBytes(instanceType: string): number {
  const known = TRAINING_INSTANCE_TYPES.find((t) => t.name === instanceType);
  if (!known)
    throw new UserError(
      `${instanceType} is not a training instance type this extension knows the memory of`,
      `Use one of ${TRAINING_INSTANCE_TYPES.map((t) => t.name).join(', ')}, or give --batch-size`,
    );
  const gpuGb = /(\d+) GB/.exec(known.detail)?.[1];
  if (known.gpus > 0 && gpuGb) return known.gpus * Number(gpuGb) * 1e9;
  return Number(/(\d+) GiB/.exec(known.detail)?.[1] ?? 8) * 2 ** 30;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** The extracted model folder in the cache (extracted once, atomically). */
async function extractedModel(
  model: ZooModel,
  archive: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const done = join(cacheDir, 'models', `tf${model.tf}`, model.name);
  if (!(await exists(join(done, '.complete')))) {
    const partial = `${done}.partial`;
    await rm(partial, { recursive: true, force: true });
    await extractModelArchive(archive, partial, signal);
    await writeFile(join(partial, '.complete'), '');
    await rm(done, { recursive: true, force: true });
    await rename(partial, done);
  }
  // Zoo archives hold one folder named like the archive.
  for (const candidate of [join(done, model.name), done]) {
    if (await exists(join(candidate, 'pipeline.config'))) return candidate;
  }
  for (const entry of await readdir(done, { withFileTypes: true }))
    if (entry.isDirectory() && (await exists(join(done, entry.name, 'pipeline.config'))))
      return join(done, entry.name);
  throw new UserError(
    `the archive of ${model.name} holds no pipeline.config`,
    'The mirror serves something else under this name: check tfod.modelZoo.url / TFOD_MODEL_ZOO_URL',
  );
}

/** Copies the checkpoint into `<dir>/checkpoint/` and returns its prefix relative to `dir`. */
async function copyCheckpoint(model: ZooModel, source: string, dir: string): Promise<string> {
  const target = join(dir, 'checkpoint');
  await mkdir(target, { recursive: true });
  if (model.tf === 2) {
    const from = join(source, 'checkpoint');
    const names = (await readdir(from).catch(() => [] as string[])).filter(
      (n) => !n.startsWith('.'),
    );
    const index = names.find((n) => /^ckpt-\d+\.index$/.test(n));
    if (!index)
      throw new UserError(
        `the archive of ${model.name} has no checkpoint/ckpt-N.index`,
        'The archive is not a TF2 zoo model: check the mirror',
      );
    await cp(from, target, { recursive: true });
    return `checkpoint/${index.replace(/\.index$/, '')}`;
  }
  const names = (await readdir(source)).filter((n) => /^model\.ckpt(-\d+)?\./.test(n));
  const index = names.find((n) => n.endsWith('.index'));
  if (!index)
    throw new UserError(
      `the archive of ${model.name} has no model.ckpt.index`,
      'The archive is not a TF1 zoo model: check the mirror',
    );
  for (const name of names) await copyFile(join(source, name), join(target, name));
  return `checkpoint/${index.replace(/\.index$/, '')}`;
}

/** The label map's largest id, or a UserError with its first error. */
async function labelMapClasses(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      `cannot read the label map ${path}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`,
      'Give the label map file (label_map.pbtxt) with --label-map',
    );
  });
  const result = validateText(text, { root: LABEL_MAP, path });
  const error = result.diagnostics.find((d) => d.severity === 'error');
  if (error) {
    const at = new LineIndex(text).positionAt(error.offset);
    throw new UserError(
      `${path}:${at.line + 1}:${at.character + 1}: ${error.message}`,
      'Fix the label map (tfod validate lists its problems) and run tfod init again',
    );
  }
  const maxId = result.labelMap?.maxId;
  if (maxId === undefined || maxId < 1)
    throw new UserError(
      `the label map ${path} has no classes`,
      'Give a label map with an item per class (id 1 and up)',
    );
  return maxId;
}

function located(text: string, d: ValidationDiagnostic): string {
  const at = new LineIndex(text).positionAt(d.offset);
  return `pipeline.config:${at.line + 1}:${at.character + 1}: ${d.severity}: ${d.message}`;
}

export async function initZooProject(options: InitOptions): Promise<InitResult> {
  const model =
    typeof options.model === 'string' ? resolveZooModel(options.model, options.tf) : options.model;
  if (options.tf !== undefined && model.tf !== options.tf)
    throw new UserError(`${model.name} is a TF${model.tf} zoo model, not TF${options.tf}`);
  const dir = resolve(options.dir);
  const configPath = join(dir, 'pipeline.config');
  if (await exists(configPath))
    throw new UserError(
      `${configPath} already exists`,
      'Give a new or empty folder for the project, or remove its pipeline.config',
    );
  const log = options.log ?? (() => undefined);
  // Without a label map, the records' own classes (read before anything is downloaded).
  const fromRecords =
    !options.labelMap && options.records
      ? await readRecordClasses(options.records, { baseDir: dir, signal: options.signal })
      : undefined;
  const writtenLabelMap = join(dir, 'label_map.pbtxt');
  if (fromRecords && (await exists(writtenLabelMap)))
    throw new UserError(
      `${writtenLabelMap} already exists, and the label map taken from the records would replace it`,
      `Give it with --label-map ${writtenLabelMap}, or remove it`,
    );
  if (fromRecords)
    log(
      `${options.records}: ${fromRecords.names.size} classes (highest id ${fromRecords.numClasses}) in ${fromRecords.objects} objects of ${fromRecords.records} records` +
        (fromRecords.unnamed.length
          ? `; ids ${fromRecords.unnamed.join(', ')} have no image/object/class/text and are named class_<id>`
          : ''),
    );
  const numClasses = options.labelMap
    ? await labelMapClasses(options.labelMap)
    : fromRecords?.numClasses;
  const cacheDir = options.cacheDir ?? defaultCacheDir();

  log(`${model.name}: downloading into ${cacheDir} (or reusing it)`);
  const archive = await downloadZooArchive(model, { ...options, cacheDir });
  if (options.signal?.aborted) throw new CancelledError();
  log(`${model.name}: unpacking`);
  const source = await extractedModel(model, archive, cacheDir, options.signal);

  await mkdir(dir, { recursive: true });
  const checkpoint = await copyCheckpoint(model, source, dir);
  let labelMapPath: string | undefined;
  if (options.labelMap) {
    const from = resolve(options.labelMap);
    const inside = !relative(dir, from).startsWith('..');
    labelMapPath = inside ? relative(dir, from) : basename(from);
    if (!inside) await copyFile(from, join(dir, labelMapPath));
  } else if (fromRecords) {
    await writeFile(writtenLabelMap, labelMapText(fromRecords.names));
    labelMapPath = 'label_map.pbtxt';
  }

  const original = await readFile(join(source, 'pipeline.config'), 'utf8');
  const configured = /\bbatch_size:\s*(\d+)/.exec(original)?.[1];
  const batchSize =
    options.batchSize ??
    batchSizeFor(
      model,
      Number(configured ?? 1),
      options.instanceType ? instanceMemoryBytes(options.instanceType) : undefined,
    );
  const rewritten = rewritePipelineConfig(original, {
    fineTuneCheckpoint: checkpoint,
    fineTuneCheckpointType: 'detection',
    ...(model.tf === 2
      ? { fineTuneCheckpointVersion: 'V2' as const, useMovingAverage: false }
      : {}),
    useBfloat16: false,
    // Replaced by fine_tune_checkpoint_type (deprecated; a TF1 field under TF2).
    removeTrainFields: ['from_detection_checkpoint', 'load_all_detection_checkpoint_vars'],
    batchSize,
    ...(numClasses !== undefined ? { numClasses } : {}),
    ...(labelMapPath !== undefined ? { labelMapPath } : {}),
    ...(options.records ? { trainInputPaths: [options.records] } : {}),
    ...(options.evalRecords ? { evalInputPaths: [options.evalRecords] } : {}),
    ...(options.numSteps !== undefined ? { numSteps: options.numSteps } : {}),
  });
  if (rewritten.errors.length > 0)
    throw new UserError(
      `the zoo's pipeline.config of ${model.name} cannot be read: ${rewritten.errors[0]}`,
      'The mirror serves a damaged archive: remove it from the cache and run again',
    );

  // The validator's own mechanical fixes for what is left (e.g. padding an unpadded resizer that
  // now trains in batches), a few rounds at most.
  const target = { architecture: model.tf === 2 ? '2.9.1' : '1.15.0' };
  const host = new NodeProjectHost([dir]);
  let text = rewritten.text;
  const check = (t: string) =>
    validateText(t, { root: PIPELINE_CONFIG, path: configPath, host, target }).diagnostics.filter(
      (d) => d.severity !== 'information',
    );
  for (let round = 0; round < 4; round++) {
    const fixable = check(text).find((d) => d.fix);
    if (!fixable?.fix) break;
    text = applyEdits(text, fixable.fix.edits);
  }
  await writeFile(configPath, text);
  const remaining = check(text).map((d) => located(text, d));
  log(`${model.name}: wrote ${configPath}`);
  return {
    model,
    configPath,
    checkpoint,
    changes: rewritten.changes,
    remaining,
    ...(fromRecords ? { recordClasses: fromRecords } : {}),
  };
}

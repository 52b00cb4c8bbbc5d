import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelFolderError } from './errors';

/** Where SageMaker puts the model of an endpoint, and where `serve` looks by default. */
export const SAGEMAKER_MODEL_DIR = '/opt/ml/model';

/** Where the training image writes the TensorFlow.js conversion, beside saved_model/. */
export const TFJS_FOLDER = 'tfjs';
/** The training image's account of that conversion (container/convert_tfjs.py writes it). */
export const TFJS_CONVERSION_REPORT = 'tfjs_conversion.json';

/** What `tfjs_conversion.json` says: converted, or why not (the ops TensorFlow.js lacks). */
export interface ConversionReport {
  readonly converted: boolean;
  /** "tensorflowjs 3.21.0" */
  readonly converter?: string;
  /** Op names TensorFlow.js has no kernel for; empty when the converter failed otherwise. */
  readonly unsupportedOps: readonly string[];
  /** Why the conversion failed, in one line. */
  readonly error?: string;
}

const REPORT_MAX_BYTES = 64 * 1024;

/**
 * Reads `tfjs_conversion.json` in a model folder; undefined when it is absent, oversized or not
 * the report's shape (it only ever explains, so a bad one is ignored rather than fatal).
 */
export function readConversionReport(modelDir: string): ConversionReport | undefined {
  let text: string;
  try {
    const fd = openSync(join(modelDir, TFJS_CONVERSION_REPORT), 'r');
    try {
      const buffer = Buffer.alloc(REPORT_MAX_BYTES + 1);
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      if (length > REPORT_MAX_BYTES) return undefined;
      text = buffer.subarray(0, length).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.converted !== 'boolean') return undefined;
  const ops = Array.isArray(record.unsupportedOps)
    ? record.unsupportedOps.filter((op): op is string => typeof op === 'string').slice(0, 50)
    : [];
  return {
    converted: record.converted,
    unsupportedOps: ops,
    ...(typeof record.converter === 'string' ? { converter: record.converter.slice(0, 100) } : {}),
    ...(typeof record.error === 'string' ? { error: record.error.slice(0, 2000) } : {}),
  };
}

/**
 * What a model folder holds. The serving container and `tfod predict` accept the same layout:
 * a TensorFlow.js GraphModel (`model.json` and its weight shards, directly or under `tfjs/`) and/or an exported SavedModel
 * (`saved_model.pb`, directly or under `saved_model/`), plus the optional `label_map.pbtxt` and
 * `hyperparameters.json` that the training container writes beside it.
 */
export interface ModelFolder {
  readonly dir: string;
  /** `model.json` of a TensorFlow.js GraphModel, when there is one. */
  readonly graphModelJson?: string;
  /** The folder holding `saved_model.pb`, when there is one. */
  readonly savedModelDir?: string;
  readonly labelMapPath?: string;
  readonly hyperparametersPath?: string;
  /** The training image's TensorFlow.js conversion report, when it wrote one. */
  readonly conversion?: ConversionReport;
}

/**
 * Looks at a model folder (or a `model.json` path) and says what it holds. Throws
 * {@link ModelFolderError} when the folder is missing or holds no model this code can load.
 */
export async function inspectModelFolder(path: string): Promise<ModelFolder> {
  let dir = resolve(path);
  const info = await stat(dir).catch(() => undefined);
  if (!info)
    throw new ModelFolderError(
      `model folder ${dir} does not exist`,
      'Pass the folder that holds model.json or saved_model.pb (for SageMaker, /opt/ml/model)',
    );
  let graphModelJson: string | undefined;
  if (info.isFile()) {
    if (basename(dir) !== 'model.json')
      throw new ModelFolderError(
        `${dir} is a file, not a model folder`,
        'Pass the folder that holds model.json or saved_model.pb',
      );
    graphModelJson = dir;
    dir = dirname(dir);
  } else {
    // The training image writes the TensorFlow.js conversion to tfjs/ beside saved_model/.
    for (const candidate of [join(dir, 'model.json'), join(dir, TFJS_FOLDER, 'model.json')])
      if (await isFile(candidate)) {
        graphModelJson = candidate;
        break;
      }
  }
  let savedModelDir: string | undefined;
  for (const candidate of [dir, join(dir, 'saved_model')])
    if (await isFile(join(candidate, 'saved_model.pb'))) {
      savedModelDir = candidate;
      break;
    }
  if (!graphModelJson && !savedModelDir)
    throw new ModelFolderError(
      `${dir} holds no model: neither model.json (TensorFlow.js, also looked in tfjs/) nor saved_model.pb (SavedModel, also looked in saved_model/)`,
      'Pass the folder the training job wrote (model.tar.gz unpacked), or a TensorFlow.js GraphModel folder',
    );
  const labelMapPath = join(dir, 'label_map.pbtxt');
  const hyperparametersPath = join(dir, 'hyperparameters.json');
  const conversion = readConversionReport(dir);
  return {
    dir,
    ...(graphModelJson ? { graphModelJson } : {}),
    ...(savedModelDir ? { savedModelDir } : {}),
    ...((await isFile(labelMapPath)) ? { labelMapPath } : {}),
    ...((await isFile(hyperparametersPath)) ? { hyperparametersPath } : {}),
    ...(conversion ? { conversion } : {}),
  };
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ?? false;
}

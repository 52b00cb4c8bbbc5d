import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  parseHyperparameters,
  type TrainingHyperparameters,
} from '../../../src/core/training/hyperparameters';
import {
  describeTrainingFiles,
  listFiles,
  type CheckpointInfo,
  type TfRecordSet,
} from '../../../src/core/training/resources';
import type { TrainingPaths } from './environment';
import { TrainingFailure } from './failure';

export const TRAINING_CHANNEL = 'training';
export const CHECKPOINT_CHANNEL = 'checkpoint';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TrainingFailure(`${what} (${path}) is not valid JSON: ${(error as Error).message}`);
  }
}

export function readHyperparameters(
  paths: TrainingPaths,
  log: (line: string) => void,
): TrainingHyperparameters {
  const raw = readJson(paths.hyperparameters, 'hyperparameters.json') ?? {};
  const parsed = parseHyperparameters(raw);
  for (const problem of parsed.problems.filter((p) => p.severity === 'warning'))
    log(`warning: ${problem.message}`);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new TrainingFailure(
      `Invalid hyperparameter${errors.length > 1 ? 's' : ''}: ${errors.map((e) => e.message).join('; ')}`,
      ['Fix them in the training job request (all values are strings, e.g. "num_steps": "1000").'],
    );
  }
  return parsed.value;
}

/** Checks inputdataconfig.json: File mode for every channel, and the training channel present. */
export function checkInputDataConfig(paths: TrainingPaths): string[] {
  const config = readJson(paths.inputDataConfig, 'inputdataconfig.json');
  const channels = config && typeof config === 'object' ? Object.keys(config) : [];
  for (const [name, value] of Object.entries(
    (config ?? {}) as Record<string, { TrainingInputMode?: string }>,
  )) {
    const mode = value?.TrainingInputMode ?? 'File';
    if (mode !== 'File') {
      throw new TrainingFailure(
        `Channel '${name}' uses ${mode} mode; this image reads its channels in File mode only`,
        ['Set InputMode to File for every channel of the training job.'],
      );
    }
  }
  if (config !== undefined && !channels.includes(TRAINING_CHANNEL)) {
    throw new TrainingFailure(
      `The training job has no '${TRAINING_CHANNEL}' channel (it has: ${channels.join(', ') || 'none'})`,
      ["Add a channel named 'training' with the TFRecords, pipeline.config and label_map.pbtxt."],
    );
  }
  return channels;
}

export interface TrainingInputs {
  readonly pipelineConfig: string;
  readonly labelMap: string | undefined;
  readonly trainRecords: readonly TfRecordSet[];
  readonly evalRecords: readonly TfRecordSet[];
  readonly checkpoint: CheckpointInfo | undefined;
  readonly checkpointDir: string;
  readonly trainingDir: string;
}

/** Lists both channels and picks what training needs, failing with what is missing. */
export async function findTrainingInputs(
  paths: TrainingPaths,
  tfMajor: 1 | 2,
): Promise<TrainingInputs> {
  const trainingDir = paths.channel(TRAINING_CHANNEL);
  if (!existsSync(trainingDir)) {
    throw new TrainingFailure(
      `The '${TRAINING_CHANNEL}' channel is missing (${trainingDir} does not exist)`,
      [
        "Give the job a channel named 'training' that holds the TFRecords, pipeline.config and label_map.pbtxt.",
      ],
    );
  }
  const training = describeTrainingFiles(await listFiles(trainingDir));
  const pipelineConfig = training.pipelineConfigs[0];
  if (!pipelineConfig) {
    throw new TrainingFailure(`No pipeline.config in the '${TRAINING_CHANNEL}' channel`, [
      `Found: ${summarise(training.files)}. Upload your pipeline.config next to the TFRecords.`,
    ]);
  }
  const sets = training.records;
  let trainRecords = sets.filter((s) => s.role === 'train');
  const evalRecords = sets.filter((s) => s.role === 'eval');
  if (trainRecords.length === 0) trainRecords = sets.filter((s) => s.role === 'unknown');
  if (trainRecords.length === 0) {
    throw new TrainingFailure(
      `No TFRecord files for training in the '${TRAINING_CHANNEL}' channel`,
      [
        `Found: ${summarise(training.files)}. Expected names like train.record or train.record-00000-of-00010.`,
      ],
    );
  }
  for (const set of [...trainRecords, ...evalRecords]) {
    if (set.missingShards?.length) {
      throw new TrainingFailure(
        `TFRecord shards are missing: ${set.pattern} announces ${set.expectedShards} shards, shard ${set.missingShards
          .slice(0, 5)
          .join(', ')}${set.missingShards.length > 5 ? ', ...' : ''} not found`,
        ['Upload every shard, or regenerate the records with the number of shards you have.'],
      );
    }
  }

  let checkpointDir = paths.channel(CHECKPOINT_CHANNEL);
  let checkpoint: CheckpointInfo | undefined;
  if (!existsSync(checkpointDir)) {
    // No checkpoint channel: a pre-trained model folder inside the training folder (the sample's
    // layout, a project uploaded whole) is the one to start from, when its TF version fits.
    const inTraining = training.checkpoints.find(
      (c) => c.format === (tfMajor === 1 ? 'tf1' : 'tf2'),
    );
    if (inTraining) {
      checkpoint = inTraining;
      checkpointDir = trainingDir;
    }
  } else {
    const found = describeTrainingFiles(await listFiles(checkpointDir)).checkpoints;
    checkpoint = found.find((c) => c.format === (tfMajor === 1 ? 'tf1' : 'tf2')) ?? found[0];
    if (!checkpoint) {
      throw new TrainingFailure(`No checkpoint in the '${CHECKPOINT_CHANNEL}' channel`, [
        'Expected a pre-trained model folder with model.ckpt.index and model.ckpt.data-* (TF1) or checkpoint/ckpt-0.index and ckpt-0.data-* (TF2).',
      ]);
    }
    if ((checkpoint.format === 'tf2') !== (tfMajor === 2)) {
      throw new TrainingFailure(
        `The checkpoint ${checkpoint.prefix} is a TF${checkpoint.format === 'tf2' ? 2 : 1} checkpoint but this image trains with TF${tfMajor}`,
        [
          `Use a TF${tfMajor} pre-trained model from the matching model zoo, or an image built for TF${checkpoint.format === 'tf2' ? 2 : 1}.`,
        ],
      );
    }
  }
  return {
    pipelineConfig,
    labelMap: training.labelMaps[0],
    trainRecords,
    evalRecords,
    checkpoint,
    checkpointDir,
    trainingDir,
  };
}

function summarise(files: readonly string[]): string {
  if (files.length === 0) return 'nothing (the channel is empty)';
  const shown = files.slice(0, 8).join(', ');
  return files.length > 8 ? `${shown} and ${files.length - 8} more` : shown;
}

export function relativeTo(dir: string, path: string): string {
  return relative(dir, path) || '.';
}

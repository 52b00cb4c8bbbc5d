import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingHyperparameters } from '../../../src/core/training/hyperparameters';
import { rewritePipelineConfig } from '../../../src/core/training/pipelineRewrite';
import {
  exportCommand,
  evalCommand,
  tfliteCommands,
  trainCommand,
  type CommandPaths,
} from './commands';
import type { ObjectDetectionApi, TrainingPaths } from './environment';
import { TrainingFailure } from './failure';
import {
  checkInputDataConfig,
  findTrainingInputs,
  readHyperparameters,
  type TrainingInputs,
} from './inputs';
import type { StepRunner } from './runStep';

export interface TrainingRun {
  readonly paths: TrainingPaths;
  readonly api: ObjectDetectionApi;
  readonly runner: StepRunner;
  readonly log: (line: string) => void;
}

/** The whole training job: check inputs, rewrite the config, train, evaluate, export, package. */
export async function train({ paths, api, runner, log }: TrainingRun): Promise<void> {
  const hyperparameters = readHyperparameters(paths, log);
  log(`[tfod] hyperparameters: ${JSON.stringify(hyperparameters)}`);
  checkInputDataConfig(paths);
  const inputs = await findTrainingInputs(paths, api.tfMajor);

  mkdirSync(paths.work, { recursive: true });
  const modelDir = join(paths.work, 'train');
  const commandPaths: CommandPaths = {
    pipelineConfig: join(paths.work, 'pipeline.config'),
    modelDir,
    exportDir: paths.model,
    tfliteDir: join(paths.work, 'tflite'),
    trainRecordsGlob: join(inputs.trainingDir, inputs.trainRecords[0]?.pattern ?? '*.record'),
  };
  writeRewrittenConfig(inputs, hyperparameters, commandPaths.pipelineConfig, log);

  await runner.run(trainCommand(api, commandPaths, hyperparameters));
  const evaluation =
    inputs.evalRecords.length > 0 ? evalCommand(api, commandPaths, hyperparameters) : undefined;
  if (evaluation) await runner.run(evaluation);

  const checkpointPrefix = api.tfMajor === 1 ? latestTf1Checkpoint(modelDir) : modelDir;
  mkdirSync(paths.model, { recursive: true });
  await runner.run(exportCommand(api, commandPaths, checkpointPrefix));
  if (hyperparameters.quantize) {
    for (const command of tfliteCommands(api, commandPaths, checkpointPrefix, hyperparameters))
      await runner.run(command);
  }
  packageModel(paths, inputs, hyperparameters, commandPaths.pipelineConfig);
  log(`[tfod] done: the model is in ${paths.model}`);
}

function writeRewrittenConfig(
  inputs: TrainingInputs,
  hyperparameters: TrainingHyperparameters,
  destination: string,
  log: (line: string) => void,
): void {
  const source = join(inputs.trainingDir, inputs.pipelineConfig);
  const text = readFileSync(source, 'utf8');
  const result = rewritePipelineConfig(text, {
    fineTuneCheckpoint: inputs.checkpoint
      ? join(inputs.checkpointDir, inputs.checkpoint.prefix)
      : undefined,
    labelMapPath: inputs.labelMap ? join(inputs.trainingDir, inputs.labelMap) : undefined,
    trainInputPaths: inputs.trainRecords.map((set) => join(inputs.trainingDir, set.pattern)),
    evalInputPaths: inputs.evalRecords.map((set) => join(inputs.trainingDir, set.pattern)),
    numSteps: hyperparameters.numSteps,
  });
  if (result.errors.length > 0) {
    throw new TrainingFailure(
      `${inputs.pipelineConfig} is not a valid pipeline config: ${result.errors[0]}`,
      [
        ...result.errors.slice(1, 5),
        'Fix the file (the extension shows these errors as you type) and start the job again.',
      ],
    );
  }
  for (const change of result.changes) {
    log(`[tfod] pipeline.config: ${change.field}: ${change.from ?? '(unset)'} -> ${change.to}`);
  }
  for (const warning of result.warnings) log(`warning: ${warning}`);
  writeFileSync(destination, result.text);
}

/** TF1's model_main writes model.ckpt-<step>; the export takes the newest. */
function latestTf1Checkpoint(modelDir: string): string {
  const steps = (existsSync(modelDir) ? readdirSync(modelDir) : [])
    .map((name) => /^model\.ckpt-(\d+)\.index$/.exec(name)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number);
  if (steps.length === 0) {
    throw new TrainingFailure(
      'Training finished without writing a checkpoint (no model.ckpt-*.index in its model dir)',
      ['Check the training log above for errors, and that num_steps is at least 1.'],
    );
  }
  return join(modelDir, `model.ckpt-${Math.max(...steps)}`);
}

/** What the serving side expects next to the SavedModel. */
function packageModel(
  paths: TrainingPaths,
  inputs: TrainingInputs,
  hyperparameters: TrainingHyperparameters,
  pipelineConfig: string,
): void {
  if (inputs.labelMap)
    cpSync(join(inputs.trainingDir, inputs.labelMap), join(paths.model, 'label_map.pbtxt'));
  cpSync(pipelineConfig, join(paths.model, 'pipeline.config'));
  writeFileSync(
    join(paths.model, 'hyperparameters.json'),
    `${JSON.stringify(
      {
        num_steps: String(hyperparameters.numSteps),
        quantize: String(hyperparameters.quantize),
        image_size: String(hyperparameters.imageSize),
        inference_type: hyperparameters.inferenceType,
      },
      null,
      2,
    )}\n`,
  );
}

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingHyperparameters } from '../../../src/core/training/hyperparameters';
import {
  hasQuantizationAwareTraining,
  rewritePipelineConfig,
} from '../../../src/core/training/pipelineRewrite';
import {
  exportCommand,
  evalCommand,
  tfjsCommand,
  tfliteCommands,
  trainCommand,
  type Replicas,
  type CommandPaths,
} from './commands';
import { readConversionReport } from '../../../src/detection/modelFolder';
import { batchSizeOf } from '../../../src/core/training/pipelineRewrite';
import {
  clusterProblem,
  countGpus,
  CPU_REPLICAS_ENV,
  describeCluster,
  hostReplicas,
  readCluster,
} from './cluster';
import { chooseModelDir, describeModelDir, resumePastNumSteps } from './checkpoints';
import { startEventFileSync } from './tensorboard';
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
  const cluster = readCluster(paths);
  log(describeCluster(cluster));
  const inputs = await findTrainingInputs(paths, api.tfMajor);

  mkdirSync(paths.work, { recursive: true });
  const modelDirChoice = chooseModelDir(paths, api.tfMajor);
  for (const line of describeModelDir(modelDirChoice)) log(line);
  const pastEnd = resumePastNumSteps(modelDirChoice, hyperparameters.numSteps);
  if (pastEnd)
    throw new TrainingFailure(pastEnd, [
      'Give this job its own checkpoints path (leave --checkpoints out: the default is under the job name), or raise num_steps.',
    ]);
  const modelDir = modelDirChoice.modelDir;
  const commandPaths: CommandPaths = {
    pipelineConfig: join(paths.work, 'pipeline.config'),
    modelDir,
    exportDir: paths.model,
    tfliteDir: join(paths.work, 'tflite'),
    trainRecordsGlob: join(inputs.trainingDir, inputs.trainRecords[0]?.pattern ?? '*.record'),
  };
  writeRewrittenConfig(inputs, hyperparameters, commandPaths.pipelineConfig, log, api.tfMajor);
  checkTfliteExport(api, hyperparameters, commandPaths.pipelineConfig, inputs.pipelineConfig);
  const replicas = hostReplicas(countGpus(), process.env[CPU_REPLICAS_ENV], cluster.hosts.length);
  if (replicas instanceof TrainingFailure) throw replicas;
  if (replicas.count > 1) log(describeReplicas(replicas, api.tfMajor));
  const problem = clusterProblem(
    cluster,
    api.tfMajor,
    inputs.trainRecords.reduce((sum, set) => sum + set.files.length, 0),
    batchSizeOf(readFileSync(commandPaths.pipelineConfig, 'utf8')),
    replicas,
  );
  if (problem) throw problem;

  if (!cluster.chief) {
    // A worker: it trains its share of each batch; the chief keeps the checkpoints and the
    // event files, evaluates and exports. Its /opt/ml/model stays empty.
    await runner.run(trainCommand(api, commandPaths, hyperparameters, cluster.tfConfig, replicas));
    log(`[tfod] done on ${cluster.currentHost}: the chief (${cluster.hosts[0]}) exports the model`);
    return;
  }
  const events = startEventFileSync(modelDir, paths.tensorboard, log);
  try {
    await runner.run(trainCommand(api, commandPaths, hyperparameters, cluster.tfConfig, replicas));
    events.sync();
    const evaluation =
      inputs.evalRecords.length > 0 || api.tfMajor === 1
        ? evalCommand(api, commandPaths, hyperparameters, replicas)
        : undefined;
    if (evaluation) await runner.run(evaluation);
  } finally {
    // Also after a failure or a stop: the curves up to there are what explains it.
    events.stop();
  }
  log(`[tfod] TensorBoard event files: ${paths.tensorboard}`);

  const checkpointPrefix = api.tfMajor === 1 ? latestTf1Checkpoint(modelDir, log) : modelDir;
  mkdirSync(paths.model, { recursive: true });
  await runner.run(exportCommand(api, commandPaths, checkpointPrefix));
  const tfjs = tfjsCommand(api, commandPaths);
  if (tfjs) {
    // The SavedModel is the job's product; a failed conversion costs the laptop-side preview,
    // not the training the user paid for.
    try {
      await runner.run(tfjs);
    } catch (error) {
      if (runner.stopping) throw error;
      const report = readConversionReport(paths.model);
      const reason =
        report?.converted === false
          ? report.error
          : error instanceof Error
            ? error.message
            : String(error);
      log(
        `warning: the TF.js conversion failed (${reason}), so the model is exported as a SavedModel only: it serves in this image (tfjs-node), but the preview, tfod predict and tfod serve --model on a laptop cannot run it`,
      );
    }
  }
  if (hyperparameters.quantize) {
    for (const command of tfliteCommands(api, commandPaths, checkpointPrefix, hyperparameters))
      await runner.run(command);
  }
  packageModel(paths, inputs, hyperparameters, commandPaths.pipelineConfig);
  log(`[tfod] done: the model is in ${paths.model}`);
}

function describeReplicas(replicas: Replicas, tfMajor: 1 | 2): string {
  const devices = replicas.onCpu
    ? `${replicas.count} replicas on the CPU (${CPU_REPLICAS_ENV})`
    : `${replicas.count} GPUs`;
  return tfMajor === 2
    ? `[tfod] ${devices}: MirroredStrategy trains on all of them, each with an equal share of batch_size`
    : `[tfod] ${devices}: the API's legacy trainer (legacy/train.py) trains one clone of the model on each, each with an equal share of batch_size; model_main.py then evaluates the last checkpoint`;
}

function writeRewrittenConfig(
  inputs: TrainingInputs,
  hyperparameters: TrainingHyperparameters,
  destination: string,
  log: (line: string) => void,
  tfMajor: 1 | 2,
): void {
  const source = join(inputs.trainingDir, inputs.pipelineConfig);
  const text = readFileSync(source, 'utf8');
  const trainPaths = inputs.trainRecords.map((set) => join(inputs.trainingDir, set.pattern));
  // TF1's model_main.py always evaluates (train_and_evaluate), after the whole training run: with
  // no evaluation records its reader would still say PATH_TO_BE_CONFIGURED and the job would fail
  // at the end. It evaluates on the training records instead, and says so. TF2 skips evaluation.
  const evalOnTrain = tfMajor === 1 && inputs.evalRecords.length === 0;
  if (evalOnTrain)
    log(
      'warning: no evaluation TFRecords (names like validation.record or eval.record): TF1 training always evaluates, so it evaluates on the training records; those metrics measure fit, not how the model does on new images',
    );
  const result = rewritePipelineConfig(text, {
    // Without a checkpoint channel the config's own fine_tune_checkpoint (a path on the user's
    // machine or in the zoo's archive) cannot resolve: the job trains from scratch.
    fineTuneCheckpoint: inputs.checkpoint
      ? join(inputs.checkpointDir, inputs.checkpoint.prefix)
      : null,
    labelMapPath: inputs.labelMap ? join(inputs.trainingDir, inputs.labelMap) : undefined,
    trainInputPaths: trainPaths,
    evalInputPaths: evalOnTrain
      ? trainPaths
      : inputs.evalRecords.map((set) => join(inputs.trainingDir, set.pattern)),
    numSteps: hyperparameters.numSteps,
    // TF2's training loop restores object-based checkpoints only, and refuses V1 ("Checkpoint
    // version should be V2"), the default a config without the field gets.
    ...(inputs.checkpoint && tfMajor === 2 ? { fineTuneCheckpointVersion: 'V2' as const } : {}),
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
  if (
    result.changes.some(
      (c) => c.field === 'train_config.fine_tune_checkpoint' && c.to === '(removed)',
    )
  )
    log(
      'warning: the job has no checkpoint channel, so it trains from scratch (fine_tune_checkpoint removed); fine-tuning a model zoo checkpoint needs far fewer steps: add its folder as the checkpoint channel',
    );
  writeFileSync(destination, result.text);
}

/**
 * TF1's converter makes a QUANTIZED_UINT8 model only from a graph trained with fake quantization:
 * without it the job would fail after the whole training run. TF2 quantizes after training,
 * calibrated on the training images, and needs nothing in the config.
 */
function checkTfliteExport(
  api: ObjectDetectionApi,
  hyperparameters: TrainingHyperparameters,
  configPath: string,
  configName: string,
): void {
  if (api.tfMajor !== 1 || !hyperparameters.quantize) return;
  if (hyperparameters.inferenceType !== 'QUANTIZED_UINT8') return;
  if (hasQuantizationAwareTraining(readFileSync(configPath, 'utf8'))) return;
  throw new TrainingFailure(
    `inference_type QUANTIZED_UINT8 needs quantization-aware training, and ${configName} has no graph_rewriter { quantization { ... } } block`,
    [
      'Add to the config: graph_rewriter { quantization { delay: 48000 weight_bits: 8 activation_bits: 8 } } (delay below num_steps),',
      'or set inference_type to FLOAT, or train with a TF2 image, which quantizes after training.',
    ],
  );
}

/**
 * TF1's trainers write model.ckpt-<step>; the export takes the newest, logged as TF2's runner
 * logs its own.
 */
function latestTf1Checkpoint(modelDir: string, log: (line: string) => void): string {
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
  const newest = Math.max(...steps);
  const prefix = join(modelDir, `model.ckpt-${newest}`);
  log(`[tfod] newest checkpoint: ${prefix} (step ${newest})`);
  return prefix;
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

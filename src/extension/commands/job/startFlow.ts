import * as vscode from 'vscode';
import {
  defaultMaxWaitSeconds,
  ECR_IMAGE_PATTERN,
  generateJobName,
  INSTANCE_TYPE_PATTERN,
  LIMITS,
  resourceNameProblem,
  roleArnProblem,
  s3UriProblem,
  TRAINING_INSTANCE_TYPES,
  type TrainingJobSpec,
} from '../../../core/jobs';
import { JOB_DEFAULTS } from '../../../core/jobs/profile';
import { parseS3Prefix } from '../../../core/s3/uri';
import {
  DEFAULT_HYPERPARAMETERS,
  INFERENCE_TYPES,
  parseHyperparameters,
  type InferenceType,
  type TrainingHyperparameters,
} from '../../../core/training/hyperparameters';
import type { TfodContext } from '../../context';
import { recall, setting } from '../memory';
import { askNumber, askPick, askText, type Step } from '../prompts';

const title = (): string => vscode.l10n.t('Start Training Job');
const TOTAL = 13;
const step = (n: number): Step => ({ title: title(), step: n, total: TOTAL });

function hyperProblem(name: string, value: string): string | undefined {
  const problem = parseHyperparameters({ [name]: value }).problems.find(
    (p) => p.severity === 'error',
  );
  return problem?.message;
}

/**
 * The guided flow of tfod.job.start: every answer validated as it is typed, defaults from the
 * last run in this workspace, then the settings, then the last upload's channels.
 */
export async function askTrainingJobSpec(ctx: TfodContext): Promise<TrainingJobSpec> {
  const last = recall(ctx, 'job.last');
  const image = recall(ctx, 'image.last');
  const data = recall(ctx, 'data.last');

  const name = await askText(step(1), {
    prompt: vscode.l10n.t(
      'Training job name (letters, digits and hyphens; unique in the account and region)',
    ),
    value: generateJobName(new Date()),
    validate: (value) => resourceNameProblem(value),
  });
  const imageUri = await askText(step(2), {
    prompt: vscode.l10n.t('Training image in Amazon ECR (Build and Push Image creates one)'),
    value: last.image ?? image.uri,
    placeHolder: '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod-sagemaker:2.9.1-gpu',
    validate: (value) =>
      ECR_IMAGE_PATTERN.test(value)
        ? undefined
        : 'An ECR image: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>',
  });
  const roleArn = await askText(step(3), {
    prompt: vscode.l10n.t('IAM role SageMaker assumes for the job (setting tfod.training.roleArn)'),
    value: last.roleArn ?? setting('training.roleArn'),
    placeHolder: 'arn:aws:iam::123456789012:role/SageMakerExecutionRole',
    validate: (value) => roleArnProblem(value),
  });
  const preferred =
    last.instanceType ?? setting('training.instanceType') ?? JOB_DEFAULTS.instanceType;
  const types = [...TRAINING_INSTANCE_TYPES].sort(
    (a, b) => Number(b.name === preferred) - Number(a.name === preferred),
  );
  const instanceType = (
    await askPick(
      step(4),
      types.map((type) => ({
        label: type.name,
        description: `${type.gpus ? 'GPU' : 'CPU'}${type.name === preferred ? ' · last used' : ''}`,
        detail: type.detail,
      })),
      vscode.l10n.t(
        'Instance type (GPU types first: the Object Detection API trains slowly on CPUs)',
      ),
    )
  ).label;
  if (!INSTANCE_TYPE_PATTERN.test(instanceType)) throw new Error(`bad type ${instanceType}`);
  const instanceCount = await askNumber(step(5), {
    prompt: vscode.l10n.t('Instance count (the image trains on one instance)'),
    value: last.instanceCount ?? JOB_DEFAULTS.instanceCount,
    ...LIMITS.instanceCount,
    unit: 'instances',
  });
  const volumeSizeGb = await askNumber(step(6), {
    prompt: vscode.l10n.t('Volume size in GB (TFRecords, checkpoint and model must fit)'),
    value: last.volumeSizeGb ?? JOB_DEFAULTS.volumeSizeGb,
    ...LIMITS.volumeSizeGb,
    unit: 'GB',
  });
  const hours = await askNumber(step(7), {
    prompt: vscode.l10n.t('Maximum runtime in hours (SageMaker stops the job after it)'),
    value: last.maxRuntimeSeconds
      ? Math.max(1, Math.round(last.maxRuntimeSeconds / 3600))
      : JOB_DEFAULTS.maxRuntimeSeconds / 3600,
    min: 1,
    max: LIMITS.maxRuntimeSeconds.max / 3600,
    unit: 'hours',
  });
  const spot = await askSpot(step(8), hours * 3600, last);
  const training = await askText(step(9), {
    prompt:
      "Training channel: the S3 prefix with TFRecords, pipeline.config and label_map.pbtxt (Upload Training Data's destination)",
    value: data.training ?? last.channels?.training ?? setting('data.s3Prefix'),
    placeHolder: 's3://my-bucket/data/',
    validate: (value) => s3UriProblem(value, 'training channel'),
  });
  const checkpoint = await askText(step(10), {
    prompt: vscode.l10n.t(
      'Checkpoint channel: the S3 prefix of the pre-trained model folder (empty: none)',
    ),
    value: data.checkpoint ?? last.channels?.checkpoint,
    placeHolder: 's3://my-bucket/data/ssd_mobilenet_v2/',
    validate: (value) => (value ? s3UriProblem(value, 'checkpoint channel') : undefined),
  });
  const bucket = parseS3Prefix(training).bucket;
  const outputPath = await askText(step(11), {
    prompt: vscode.l10n.t("Output path: where SageMaker writes the job's model.tar.gz"),
    value: last.outputPath ?? `s3://${bucket}/output/`,
    validate: (value) => s3UriProblem(value, 'output path'),
  });
  const hyperparameters = await askHyperparameters(step(12), step(13), last.hyperparameters);
  return {
    name,
    image: imageUri,
    roleArn,
    instanceType,
    instanceCount,
    volumeSizeGb,
    maxRuntimeSeconds: hours * 3600,
    outputPath,
    hyperparameters,
    channels: { training, ...(checkpoint ? { checkpoint } : {}) },
    ...spot,
    // Chosen only in the saved profile (.tfod/job.json); the default is under the output path.
    ...(last.tensorboardPath ? { tensorboardPath: last.tensorboardPath } : {}),
  };
}

/**
 * On-demand or managed spot capacity; spot asks how long the job may wait for capacity (SageMaker
 * needs at least the runtime). Checkpoints go under the output path, under the job's own name:
 * a checkpoints path carried over from the last job would make this one resume from that job's
 * weights, so it is not offered here (`checkpointsPath` in a profile is a deliberate choice).
 */
async function askSpot(
  at: Step,
  maxRuntimeSeconds: number,
  last: { spot?: boolean; maxWaitSeconds?: number },
): Promise<Pick<TrainingJobSpec, 'spot' | 'maxWaitSeconds'>> {
  const choice = await askPick(
    at,
    [
      {
        label: vscode.l10n.t('On-demand'),
        spot: false,
        description: last.spot ? '' : 'default',
        detail: vscode.l10n.t('Starts at once and runs uninterrupted; full price'),
      },
      {
        label: vscode.l10n.t('Managed spot training'),
        spot: true,
        description: last.spot ? 'last used' : '',
        detail: vscode.l10n.t(
          'Spare capacity, often far cheaper; may wait for capacity or be interrupted, and then resumes from its newest checkpoint',
        ),
      },
    ].sort((a, b) => Number(b.spot === Boolean(last.spot)) - Number(a.spot === Boolean(last.spot))),
    vscode.l10n.t('Capacity: on-demand or managed spot training?'),
  );
  if (!choice.spot) return {};
  const runtimeHours = maxRuntimeSeconds / 3600;
  const waitHours = await askNumber(at, {
    prompt: vscode.l10n.t(
      'Maximum wait in hours, waiting for capacity included (at least the {0} h runtime)',
      runtimeHours,
    ),
    value: Math.max(
      runtimeHours,
      Math.round((last.maxWaitSeconds ?? defaultMaxWaitSeconds(maxRuntimeSeconds)) / 3600),
    ),
    min: runtimeHours,
    max: LIMITS.maxWaitSeconds.max / 3600,
    unit: 'hours',
  });
  return { spot: true, maxWaitSeconds: waitHours * 3600 };
}

/** The four hyperparameters in two steps (steps count and the optional TFLite export). */
export async function askHyperparameters(
  stepsStep: Step,
  exportStep: Step,
  lastValues: unknown,
): Promise<TrainingHyperparameters> {
  const lastHyper = parseHyperparameters(lastValues ?? {}).value;
  const numSteps = Number(
    await askText(stepsStep, {
      prompt: vscode.l10n.t('num_steps: training steps to run'),
      value: String(lastHyper.numSteps ?? DEFAULT_HYPERPARAMETERS.numSteps),
      validate: (value) => hyperProblem('num_steps', value),
    }),
  );
  const exportChoice = await askPick(
    exportStep,
    [
      {
        label: vscode.l10n.t('No TensorFlow Lite export'),
        quantize: false,
        inferenceType: 'FLOAT' as InferenceType,
      },
      ...INFERENCE_TYPES.map((type) => ({
        label: `Also export TensorFlow Lite (${type})`,
        quantize: true,
        inferenceType: type,
      })),
    ],
    vscode.l10n.t('quantize / inference_type: export a TensorFlow Lite model as well?'),
  );
  let imageSize = lastHyper.imageSize ?? DEFAULT_HYPERPARAMETERS.imageSize;
  if (exportChoice.quantize)
    imageSize = Number(
      await askText(exportStep, {
        prompt: vscode.l10n.t('image_size: the square input size of the TensorFlow Lite model'),
        value: String(imageSize),
        validate: (value) => hyperProblem('image_size', value),
      }),
    );
  return {
    numSteps,
    quantize: exportChoice.quantize,
    imageSize,
    inferenceType: exportChoice.inferenceType,
  };
}

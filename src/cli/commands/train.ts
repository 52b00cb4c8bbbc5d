import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fineTuneCheckpointOf } from '../../core/training/pipelineRewrite';
import { describeTrainingFiles, listFiles } from '../../core/training/resources';
import {
  mergeProfiles,
  readJobProfile,
  specFromProfile,
  type JobProfile,
  type ProfileOptions,
} from '../../core/jobs/profile';
import { defaultLocalOutputPath } from '../../core/local';
import {
  assertValidTrainingJobSpec,
  validateTrainingJobSpec,
  type TrainingJobSpec,
} from '../../core/jobs';
import {
  checkTrainingData,
  trainingDataError,
  type TrainingDataCheck,
} from '../../core/jobs/trainingData';
import { createS3Client } from '../../core/s3/client';
import { UserError } from '../../core/errors';
import {
  addAwsOptions,
  addTargetOption,
  awsSession,
  integer,
  interruptible,
  localWorkspace,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface TrainFlags extends TargetFlags {
  readonly profile?: string;
  readonly name?: string;
  readonly image?: string;
  readonly role?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly volumeSize?: number;
  readonly maxRuntime?: number;
  readonly output?: string;
  readonly training?: string;
  readonly checkpoint?: string;
  readonly numSteps?: string;
  readonly quantize?: boolean;
  readonly imageSize?: string;
  readonly inferenceType?: string;
  readonly tag?: string[];
  readonly spot?: boolean;
  readonly maxWait?: number;
  readonly checkpoints?: string;
  readonly tensorboard?: string;
  readonly json?: boolean;
}

function tags(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  return Object.fromEntries(
    values.map((value) => {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UserError(`--tag '${value}' is not key=value`);
      return [value.slice(0, eq), value.slice(eq + 1)];
    }),
  );
}

/** The flags as a profile, so they override a saved one field by field. */
function flagsProfile(flags: TrainFlags): JobProfile {
  const hyper: Record<string, unknown> = {};
  if (flags.numSteps !== undefined) hyper.num_steps = flags.numSteps;
  if (flags.quantize !== undefined) hyper.quantize = flags.quantize;
  if (flags.imageSize !== undefined) hyper.image_size = flags.imageSize;
  if (flags.inferenceType !== undefined) hyper.inference_type = flags.inferenceType;
  const channels: Record<string, string> = {};
  if (flags.training) channels.training = flags.training;
  if (flags.checkpoint) channels.checkpoint = flags.checkpoint;
  const tagged = tags(flags.tag);
  return {
    name: flags.name,
    image: flags.image,
    roleArn: flags.role,
    instanceType: flags.instanceType,
    instanceCount: flags.instanceCount,
    volumeSizeGb: flags.volumeSize,
    maxRuntimeSeconds: flags.maxRuntime,
    outputPath: flags.output,
    ...(Object.keys(hyper).length ? { hyperparameters: hyper } : {}),
    ...(Object.keys(channels).length ? { channels } : {}),
    ...(tagged ? { tags: tagged } : {}),
    ...(flags.spot ? { spot: true } : {}),
    ...(flags.maxWait !== undefined ? { maxWaitSeconds: flags.maxWait } : {}),
    ...(flags.checkpoints ? { checkpointsPath: flags.checkpoints } : {}),
    ...(flags.tensorboard ? { tensorboardPath: flags.tensorboard } : {}),
  };
}

/** `tfod train`: starts a training job from a saved job profile and/or flags. */
export function register(program: Command): void {
  const command = program
    .command('train')
    .description(
      "Start a training job from a job profile (.tfod/job.json) and/or flags; flags win. Refused when the training channel's pipeline.config or label map has an error the job would fail on (a template placeholder the container does not fill in included)",
    )
    .option('-p, --profile <file>', 'saved job profile (JSON, as .tfod/job.json)')
    .option('-n, --name <name>', 'job name (default: tfod-<yyyymmdd-hhmmss>)')
    .option('--image <uri>', 'training image (ECR URI on SageMaker, a local tag for local)')
    .option('--role <arn>', 'IAM execution role ARN')
    .option('--instance-type <type>', 'instance type, e.g. ml.g4dn.xlarge')
    .option('--instance-count <n>', 'instance count', integer('--instance-count'))
    .option('--volume-size <gb>', 'volume size in GB', integer('--volume-size'))
    .option('--max-runtime <seconds>', 'maximum runtime in seconds', integer('--max-runtime', 60))
    .option('--output <uri>', "where the job's model.tar.gz goes (local default: .tfod/jobs)")
    .option(
      '--training <uri>',
      'training channel: TFRecords, pipeline.config, label map (S3 prefix, or a folder for local)',
    )
    .option(
      '--checkpoint <uri>',
      'checkpoint channel: the pre-trained model folder (S3 prefix, or a folder for local)',
    )
    .option('--num-steps <n>', 'hyperparameter num_steps')
    .option('--quantize', 'hyperparameter quantize=true (also export TensorFlow Lite)')
    .option('--image-size <n>', 'hyperparameter image_size')
    .option('--inference-type <type>', 'hyperparameter inference_type (FLOAT or QUANTIZED_UINT8)')
    .option('--tag <key=value...>', 'tags for the job')
    .option(
      '--spot',
      'SageMaker: managed spot training (cheaper; an interrupted job resumes from its newest checkpoint)',
    )
    .option(
      '--max-wait <seconds>',
      'with --spot: the longest the job may take, waiting for capacity included (>= --max-runtime; default twice it)',
      integer('--max-wait', 60),
    )
    .option(
      '--checkpoints <uri>',
      'SageMaker: S3 prefix synced with /opt/ml/checkpoints (default with --spot: <output>/<job>/checkpoints/)',
    )
    .option(
      '--tensorboard <uri>',
      'SageMaker: S3 prefix for the TensorFlow event files (default <output>/<job>/tensorboard/; local: the job folder)',
    )
    .option('--json', 'print the started job as JSON');
  addAwsOptions(addTargetOption(command)).action(async (flags: TrainFlags, cmd: Command) => {
    const { out, err } = output(cmd);
    const overrides = flagsProfile(flags);
    const options: ProfileOptions =
      flags.target === 'local'
        ? {
            target: 'local',
            baseDir: localWorkspace(),
            defaultOutputPath: defaultLocalOutputPath(localWorkspace()),
          }
        : { target: flags.target };
    const spec = flags.profile
      ? await readJobProfile(flags.profile, overrides, new Date(), options)
      : specFromProfile(
          mergeProfiles({}, overrides),
          'the flags (no --profile given)',
          new Date(),
          options,
        );
    for (const warning of validateTrainingJobSpec(spec, { target: flags.target }).filter(
      (p) => p.severity === 'warning',
    ))
      err(`tfod: warning: ${warning.message}\n`);
    if (flags.target === 'local') {
      const scratch = await fromScratchWarning(spec.channels);
      if (scratch) err(`tfod: warning: ${scratch}\n`);
    }
    // The settings first: a job refused for them is not worth reading its training data for.
    assertValidTrainingJobSpec(spec, { target: flags.target });
    const data = await interruptible((signal) => checkData(flags, spec, signal));
    for (const warning of data.warnings) err(`tfod: warning: ${warning}\n`);
    if (data.problems.length > 0) throw trainingDataError(spec, data);
    const job = await withTarget(flags, (target) =>
      interruptible((signal) => target.startTrainingJob(spec, signal)),
    );
    if (flags.json) out(`${JSON.stringify(job, null, 2)}\n`);
    else
      out(
        `Started training job ${job.name} on ${flags.target} (${spec.instanceType}${spec.spot && flags.target === 'sagemaker' ? ', managed spot' : ''}): ${job.id}\n`,
      );
  });
}

/** The training channel's config and label map, checked before the job starts. */
async function checkData(
  flags: TrainFlags,
  spec: TrainingJobSpec,
  signal: AbortSignal,
): Promise<TrainingDataCheck> {
  if (flags.target === 'local')
    return checkTrainingData(spec, { target: 'local', base: localWorkspace(), signal });
  const session = awsSession(flags);
  const s3 = createS3Client(session);
  try {
    return await checkTrainingData(spec, { target: 'sagemaker', s3, session, signal });
  } finally {
    s3.destroy();
  }
}

/**
 * A local job without a pre-trained checkpoint (no checkpoint channel, none in the training
 * folder) trains from scratch even when its config names one: said before it starts, since from
 * scratch needs far more steps. Folders that cannot be read are left to the job to report.
 */
async function fromScratchWarning(channels: {
  readonly training?: string | undefined;
  readonly checkpoint?: string | undefined;
}): Promise<string | undefined> {
  if (channels.checkpoint || !channels.training) return undefined;
  try {
    const folder = describeTrainingFiles(await listFiles(resolve(channels.training)));
    if (folder.checkpoints.length > 0 || !folder.pipelineConfigs[0]) return undefined;
    const config = await readFile(
      join(resolve(channels.training), folder.pipelineConfigs[0]),
      'utf8',
    );
    const named = fineTuneCheckpointOf(config);
    if (!named) return undefined;
    return `${folder.pipelineConfigs[0]} starts from fine_tune_checkpoint "${named}", but the job has no checkpoint (no --checkpoint, none in ${channels.training}): it trains from scratch. Pass --checkpoint <the pre-trained model folder> to fine-tune`;
  } catch {
    return undefined;
  }
}

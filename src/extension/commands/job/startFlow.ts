import {
  defaultMaxWaitSeconds,
  ECR_IMAGE_PATTERN,
  generateJobName,
  LIMITS,
  resourceNameProblem,
  roleArnProblem,
  s3UriProblem,
  TRAINING_INSTANCE_TYPES,
  type TrainingJobSpec,
} from '../../../core/jobs';
import { JOB_DEFAULTS, type JobProfile } from '../../../core/jobs/profile';
import { parseS3Prefix } from '../../../core/s3/uri';
import { firstWhere, type Flow } from '../../flows/flow';
import { l10n } from '../../l10n';
import {
  HYPERPARAMETER_STEPS,
  hyperparameterDefaults,
  hyperparametersOf,
  type HyperparameterAnswers,
} from './hyperparameterSteps';

/** The flow's title (translated when asked, not at load). */
export const sagemakerJobTitle = (): string => l10n.t('Start Training Job');

/** What the guided flow of tfod.job.start asks on the SageMaker target. */
export interface SageMakerJobAnswers
  extends
    HyperparameterAnswers,
    Pick<
      TrainingJobSpec,
      'name' | 'image' | 'roleArn' | 'instanceType' | 'instanceCount' | 'volumeSizeGb'
    > {
  readonly hours: number;
  readonly spot: boolean;
  /** Unset until asked: it defaults from the runtime. */
  readonly waitHours: number | undefined;
  readonly training: string;
  readonly checkpoint: string;
  /** Empty until asked: it defaults to output/ beside the training channel. */
  readonly outputPath: string;
}

/** Where the defaults come from: the last job, image push and upload, and the settings. */
export interface SageMakerJobMemory {
  readonly last: Partial<JobProfile>;
  readonly pushedImage?: string | undefined;
  readonly uploaded?: { readonly training?: string; readonly checkpoint?: string } | undefined;
  readonly settings: {
    readonly roleArn?: string | undefined;
    readonly instanceType?: string | undefined;
    readonly s3Prefix?: string | undefined;
  };
}

export function sagemakerJobDefaults(memory: SageMakerJobMemory, now: Date): SageMakerJobAnswers {
  const { last, uploaded, settings } = memory;
  return {
    name: generateJobName(now),
    image: last.image ?? memory.pushedImage ?? '',
    roleArn: last.roleArn ?? settings.roleArn ?? '',
    instanceType: last.instanceType ?? settings.instanceType ?? JOB_DEFAULTS.instanceType,
    instanceCount: last.instanceCount ?? JOB_DEFAULTS.instanceCount,
    volumeSizeGb: last.volumeSizeGb ?? JOB_DEFAULTS.volumeSizeGb,
    hours: last.maxRuntimeSeconds
      ? Math.max(1, Math.round(last.maxRuntimeSeconds / 3600))
      : JOB_DEFAULTS.maxRuntimeSeconds / 3600,
    spot: Boolean(last.spot),
    waitHours: last.maxWaitSeconds ? Math.round(last.maxWaitSeconds / 3600) : undefined,
    training: uploaded?.training ?? last.channels?.training ?? settings.s3Prefix ?? '',
    checkpoint: uploaded?.checkpoint ?? last.channels?.checkpoint ?? '',
    outputPath: last.outputPath ?? '',
    ...hyperparameterDefaults(last.hyperparameters),
  };
}

/**
 * The guided flow of tfod.job.start on SageMaker: every answer validated as it is typed; the
 * instance type and capacity last used are listed first (`last`: the run before this one).
 */
export function sagemakerJobFlow(last: {
  readonly instanceType: string;
  readonly spot: boolean;
}): Flow<SageMakerJobAnswers> {
  return {
    title: sagemakerJobTitle(),
    steps: [
      {
        ask: async (s, ask) => ({
          name: await ask.text({
            prompt: l10n.t(
              'Training job name (letters, digits and hyphens; unique in the account and region)',
            ),
            value: s.name,
            validate: (value) => resourceNameProblem(value),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          image: await ask.text({
            prompt: l10n.t('Training image in Amazon ECR (Build and Push Image creates one)'),
            value: s.image,
            placeHolder: '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod-sagemaker:2.9.1-gpu',
            validate: (value) =>
              ECR_IMAGE_PATTERN.test(value)
                ? undefined
                : l10n.t(
                    'An ECR image: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>',
                  ),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          roleArn: await ask.text({
            prompt: l10n.t(
              'IAM role SageMaker assumes for the job (setting tfod.training.roleArn)',
            ),
            value: s.roleArn,
            placeHolder: 'arn:aws:iam::123456789012:role/SageMakerExecutionRole',
            validate: (value) => roleArnProblem(value),
          }),
        }),
      },
      {
        ask: async (s, ask) => {
          const items = firstWhere(
            TRAINING_INSTANCE_TYPES,
            (t) => t.name === last.instanceType,
          ).map((type) => ({
            label: type.name,
            description:
              type.name === last.instanceType
                ? l10n.t('{0} · last used', type.gpus ? 'GPU' : 'CPU')
                : type.gpus
                  ? 'GPU'
                  : 'CPU',
            detail: type.detail,
          }));
          const picked = await ask.pick({
            items,
            placeHolder: l10n.t(
              'Instance type (GPU types first: the Object Detection API trains slowly on CPUs)',
            ),
            active: items.find((i) => i.label === s.instanceType),
          });
          return { instanceType: picked.label };
        },
      },
      {
        ask: async (s, ask) => ({
          instanceCount: await ask.number({
            prompt: l10n.t('Instance count (the image trains on one instance)'),
            value: s.instanceCount,
            ...LIMITS.instanceCount,
            unit: l10n.t('instances'),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          volumeSizeGb: await ask.number({
            prompt: l10n.t('Volume size in GB (TFRecords, checkpoint and model must fit)'),
            value: s.volumeSizeGb,
            ...LIMITS.volumeSizeGb,
            unit: 'GB',
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          hours: await ask.number({
            prompt: l10n.t('Maximum runtime in hours (SageMaker stops the job after it)'),
            value: s.hours,
            min: 1,
            max: LIMITS.maxRuntimeSeconds.max / 3600,
            unit: l10n.t('hours'),
          }),
        }),
      },
      {
        ask: async (s, ask) => {
          const capacities = [
            {
              label: l10n.t('On-demand'),
              spot: false,
              description: last.spot ? '' : l10n.t('default'),
              detail: l10n.t('Starts at once and runs uninterrupted; full price'),
            },
            {
              label: l10n.t('Managed spot training'),
              spot: true,
              description: last.spot ? l10n.t('last used') : '',
              detail: l10n.t(
                'Spare capacity, often far cheaper; may wait for capacity or be interrupted, and then resumes from its newest checkpoint',
              ),
            },
          ];
          const items = firstWhere(capacities, (c) => c.spot === last.spot);
          const picked = await ask.pick({
            items,
            placeHolder: l10n.t('Capacity: on-demand or managed spot training?'),
            active: items.find((i) => i.spot === s.spot),
          });
          return { spot: picked.spot };
        },
      },
      {
        // How long a spot job may wait for capacity: SageMaker needs at least the runtime.
        when: (s) => s.spot,
        ask: async (s, ask) => ({
          waitHours: await ask.number({
            prompt: l10n.t(
              'Maximum wait in hours, waiting for capacity included (at least the {0} h runtime)',
              s.hours,
            ),
            value: Math.max(
              s.hours,
              s.waitHours ?? Math.round(defaultMaxWaitSeconds(s.hours * 3600) / 3600),
            ),
            min: s.hours,
            max: LIMITS.maxWaitSeconds.max / 3600,
            unit: l10n.t('hours'),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          training: await ask.text({
            prompt: l10n.t(
              "Training channel: the S3 prefix with TFRecords, pipeline.config and label_map.pbtxt (Upload Training Data's destination)",
            ),
            value: s.training,
            placeHolder: 's3://my-bucket/data/',
            validate: (value) => s3UriProblem(value, 'training channel'),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          checkpoint: await ask.text({
            prompt: l10n.t(
              'Checkpoint channel: the S3 prefix of the pre-trained model folder (empty: none)',
            ),
            value: s.checkpoint,
            placeHolder: 's3://my-bucket/data/ssd_mobilenet_v2/',
            validate: (value) => (value ? s3UriProblem(value, 'checkpoint channel') : undefined),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          outputPath: await ask.text({
            prompt: l10n.t("Output path: where SageMaker writes the job's model.tar.gz"),
            value: s.outputPath || `s3://${parseS3Prefix(s.training).bucket}/output/`,
            validate: (value) => s3UriProblem(value, 'output path'),
          }),
        }),
      },
      ...HYPERPARAMETER_STEPS,
    ],
  };
}

/**
 * The job the answers describe. Checkpoints go under the output path, under the job's own name:
 * a checkpoints path carried over from the last job would make this one resume from that job's
 * weights, so it is not offered here (`checkpointsPath` in a profile is a deliberate choice).
 */
export function sagemakerJobSpec(
  answers: SageMakerJobAnswers,
  last: Partial<JobProfile>,
): TrainingJobSpec {
  const maxRuntimeSeconds = answers.hours * 3600;
  return {
    name: answers.name,
    image: answers.image,
    roleArn: answers.roleArn,
    instanceType: answers.instanceType,
    instanceCount: answers.instanceCount,
    volumeSizeGb: answers.volumeSizeGb,
    maxRuntimeSeconds,
    outputPath: answers.outputPath,
    hyperparameters: hyperparametersOf(answers),
    channels: {
      training: answers.training,
      ...(answers.checkpoint ? { checkpoint: answers.checkpoint } : {}),
    },
    ...(answers.spot
      ? {
          spot: true,
          maxWaitSeconds:
            answers.waitHours !== undefined
              ? answers.waitHours * 3600
              : defaultMaxWaitSeconds(maxRuntimeSeconds),
        }
      : {}),
    // Chosen only in the saved profile (.tfod/job.json); the default is under the output path.
    ...(last.tensorboardPath ? { tensorboardPath: last.tensorboardPath } : {}),
  };
}

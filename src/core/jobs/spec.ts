import { isAbsolute } from 'node:path';
import { UserError } from '../errors';
import { ARCHITECTURES } from '../image/architecture';
import { parseS3Uri } from '../s3/uri';
import type { TargetKind } from '../target';
import { parseHyperparameters, toSageMakerHyperparameters } from '../training/hyperparameters';
import { INSTANCE_TYPE_PATTERN, isGpuInstanceType, TRAINING_INSTANCE_TYPES } from './instanceTypes';
import { resourceNameProblem } from './names';
import type { TrainingJobSpec } from './types';

/**
 * Checks a training job spec before anything is sent, with the limits SageMaker itself enforces,
 * so the user hears about a typo in the role ARN now rather than from a failed API call.
 */
export interface SpecProblem {
  /** The spec field, dotted: `roleArn`, `channels.training`, `hyperparameters.num_steps`. */
  readonly field: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
export const ROLE_ARN_EXAMPLE = 'arn:aws:iam::123456789012:role/SageMakerExecutionRole';
export const ECR_IMAGE_PATTERN =
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/;

export const LIMITS = {
  instanceCount: { min: 1, max: 100 },
  volumeSizeGb: { min: 1, max: 16_384 },
  /** SageMaker's ceiling for MaxRuntimeInSeconds: 28 days. */
  maxRuntimeSeconds: { min: 60, max: 28 * 24 * 3600 },
  /** MaxWaitTimeInSeconds of a spot job: at least its MaxRuntimeInSeconds, at most 28 days. */
  maxWaitSeconds: { min: 60, max: 28 * 24 * 3600 },
  tags: 50,
} as const;

export interface ValidateOptions {
  /** The local target reads folders instead of S3 and ignores the role and instance type. */
  readonly target?: TargetKind;
}

export function roleArnProblem(value: string): string | undefined {
  const arn = value.trim();
  if (!arn) return `role ARN is empty; SageMaker needs an execution role, e.g. ${ROLE_ARN_EXAMPLE}`;
  if (ROLE_ARN_PATTERN.test(arn)) return undefined;
  if (/^arn:aws[a-z-]*:iam::\d{12}:user\//.test(arn))
    return `'${arn}' is an IAM user, not a role; give the ARN of a SageMaker execution role, e.g. ${ROLE_ARN_EXAMPLE}`;
  if (/^arn:aws[a-z-]*:iam::[^:]*:role\//.test(arn) && !/^arn:aws[a-z-]*:iam::\d{12}:/.test(arn))
    return `role ARN '${arn}' must carry a 12-digit account id, e.g. ${ROLE_ARN_EXAMPLE}`;
  return `'${arn}' is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role/<name>, e.g. ${ROLE_ARN_EXAMPLE}`;
}

/** Why `uri` is not an `s3://bucket/prefix` URI, or undefined (core/s3's rules and advice). */
export function s3UriProblem(uri: string, what: string): string | undefined {
  if (!uri.trim()) return `${what} is empty; give an S3 URI such as s3://my-bucket/data/`;
  try {
    parseS3Uri(uri);
  } catch (error) {
    if (error instanceof UserError) return `${what}: ${error.toLine()}`;
    throw error;
  }
  if (uri.length > 1024) return `${what} is longer than SageMaker's 1024 characters`;
  return undefined;
}

function localPathProblem(path: string, what: string): string | undefined {
  const plain = path.startsWith('file://') ? path.slice('file://'.length) : path;
  if (!plain) return `${what} is empty; give a folder on this machine`;
  if (!isAbsolute(plain)) return `${what} '${path}' must be an absolute path on this machine`;
  return undefined;
}

function rangeProblem(
  value: number,
  range: { min: number; max: number },
  what: string,
  unit: string,
): string | undefined {
  if (!Number.isInteger(value)) return `${what} must be a whole number of ${unit}, got ${value}`;
  if (value < range.min || value > range.max)
    return `${what} must be between ${range.min} and ${range.max} ${unit}, got ${value}`;
  return undefined;
}

function imageProblems(image: string, target: TargetKind, add: Add): void {
  if (!image.trim()) {
    add('image', 'error', 'image is empty; build and push the training image first');
    return;
  }
  if (/\s/.test(image) || image.length > 255) {
    add('image', 'error', `image '${image}' is not an image reference`);
    return;
  }
  if (target === 'sagemaker' && !ECR_IMAGE_PATTERN.test(image)) {
    add(
      'image',
      'error',
      `image '${image}' is not in Amazon ECR; SageMaker runs training images from ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>): push it with Build and Push`,
    );
  }
}

type Add = (field: string, severity: SpecProblem['severity'], message: string) => void;

/** The default max wait of a spot job: twice its runtime (time to find capacity), within limits. */
export function defaultMaxWaitSeconds(maxRuntimeSeconds: number): number {
  return Math.max(maxRuntimeSeconds, Math.min(2 * maxRuntimeSeconds, LIMITS.maxWaitSeconds.max));
}

/** Managed spot training: SageMaker refuses a max wait below the max runtime, so say it first. */
function spotProblems(spec: TrainingJobSpec, target: TargetKind, add: Add): void {
  if (spec.maxWaitSeconds !== undefined) {
    if (!spec.spot) {
      add(
        'maxWaitSeconds',
        'error',
        'a maximum wait applies only to managed spot training; add --spot (or "spot": true in the job profile) or leave out the maximum wait',
      );
    } else {
      const problem = rangeProblem(
        spec.maxWaitSeconds,
        LIMITS.maxWaitSeconds,
        'maximum wait',
        'seconds (1 minute to 28 days)',
      );
      if (problem) add('maxWaitSeconds', 'error', problem);
      else if (
        Number.isInteger(spec.maxRuntimeSeconds) &&
        spec.maxWaitSeconds < spec.maxRuntimeSeconds
      )
        add(
          'maxWaitSeconds',
          'error',
          `the maximum wait (${spec.maxWaitSeconds} s) is shorter than the maximum runtime (${spec.maxRuntimeSeconds} s); SageMaker needs MaxWaitTimeInSeconds >= MaxRuntimeInSeconds: raise --max-wait to at least ${spec.maxRuntimeSeconds} or lower --max-runtime`,
        );
    }
  }
  if (target === 'sagemaker') {
    if (spec.checkpointsPath !== undefined)
      check(add, 'checkpointsPath', s3UriProblem(spec.checkpointsPath, 'the checkpoints path'));
    if (spec.tensorboardPath !== undefined)
      check(add, 'tensorboardPath', s3UriProblem(spec.tensorboardPath, 'the TensorBoard path'));
  } else if (spec.spot) {
    add(
      'spot',
      'warning',
      'managed spot training is a SageMaker option; the local job runs on this machine as usual (its checkpoints are kept in the job folder all the same)',
    );
  }
  if (target !== 'sagemaker') {
    if (spec.checkpointsPath !== undefined)
      add(
        'checkpointsPath',
        'warning',
        "a checkpoints path is a SageMaker option; a local job keeps its checkpoints in its folder's checkpoints/",
      );
    if (spec.tensorboardPath !== undefined)
      add(
        'tensorboardPath',
        'warning',
        "a TensorBoard path is a SageMaker option; a local job keeps its event files in its folder's output/tensorboard/",
      );
  }
}

/** The most hosts the local target runs (as containers on one machine). */
export const LOCAL_MAX_HOSTS = 4;

/**
 * Several instances train together with the TF2 images (MultiWorkerMirroredStrategy, the
 * container's `train`); the TF1 images train on one. Locally the hosts are containers that share
 * the machine: a rehearsal of the SageMaker job, not a faster run.
 */
function instanceCountProblems(spec: TrainingJobSpec, target: TargetKind, add: Add): void {
  const count = spec.instanceCount;
  if (!Number.isInteger(count) || count <= 1) return;
  const tag = /:([^:/@]+)$/.exec(spec.image)?.[1] ?? '';
  if (/^1\./.test(tag))
    add(
      'instanceCount',
      'error',
      `the TF1 image '${tag}' trains on one instance (the Object Detection API's TF1 model_main.py has no multi-worker training); set the instance count to 1, or use a TF2 image`,
    );
  else if (target === 'local' && count > LOCAL_MAX_HOSTS)
    add(
      'instanceCount',
      'error',
      `the local target runs at most ${LOCAL_MAX_HOSTS} hosts (containers on this machine), not ${count}; use the sagemaker target for more`,
    );
  else if (target === 'local')
    add(
      'instanceCount',
      'warning',
      `the ${count} hosts run as ${count} containers on this machine and share its CPU and GPU: a rehearsal of a ${count}-instance SageMaker job, not a faster run`,
    );
}

function check(add: Add, field: string, message: string | undefined): void {
  if (message) add(field, 'error', message);
}

/** Every problem of the spec at once, errors and warnings; never throws. */
export function validateTrainingJobSpec(
  spec: TrainingJobSpec,
  options: ValidateOptions = {},
): SpecProblem[] {
  const target = options.target ?? 'sagemaker';
  const problems: SpecProblem[] = [];
  const add: Add = (field, severity, message) => problems.push({ field, severity, message });
  const check = (field: string, message: string | undefined): void => {
    if (message) add(field, 'error', message);
  };

  check('name', resourceNameProblem(spec.name));
  imageProblems(spec.image, target, add);

  if (target === 'sagemaker') {
    check('roleArn', roleArnProblem(spec.roleArn));
    if (!INSTANCE_TYPE_PATTERN.test(spec.instanceType)) {
      add(
        'instanceType',
        'error',
        `instance type '${spec.instanceType}' is not a SageMaker instance type; use one such as ${TRAINING_INSTANCE_TYPES.slice(
          0,
          3,
        )
          .map((type) => type.name)
          .join(', ')}`,
      );
    } else if (!TRAINING_INSTANCE_TYPES.some((type) => type.name === spec.instanceType)) {
      add(
        'instanceType',
        'warning',
        `instance type '${spec.instanceType}' is not one this extension knows; check that SageMaker offers it for training in your region`,
      );
    }
    const tag = /:([^:/@]+)$/.exec(spec.image)?.[1]?.toLowerCase() ?? '';
    const known = ARCHITECTURES.find((architecture) => architecture.tag === tag);
    const gpuBuild = known
      ? known.gpu
      : tag.includes('gpu')
        ? true
        : tag.includes('cpu')
          ? false
          : undefined;
    if (gpuBuild !== undefined && INSTANCE_TYPE_PATTERN.test(spec.instanceType)) {
      const gpu = isGpuInstanceType(spec.instanceType);
      if (gpuBuild && !gpu)
        add(
          'instanceType',
          'warning',
          `the image tag '${tag}' is a GPU build but ${spec.instanceType} has no GPU; pick a GPU instance type or the CPU image`,
        );
      if (!gpuBuild && gpu)
        add(
          'instanceType',
          'warning',
          `${spec.instanceType} has a GPU but the image tag '${tag}' is a CPU build; the GPU would sit idle`,
        );
    }
    check('outputPath', s3UriProblem(spec.outputPath, 'output path'));
    check('channels.training', s3UriProblem(spec.channels.training, "the 'training' channel"));
    if (spec.channels.checkpoint !== undefined)
      check(
        'channels.checkpoint',
        s3UriProblem(spec.channels.checkpoint, "the 'checkpoint' channel"),
      );
  } else {
    check('outputPath', localPathProblem(spec.outputPath, 'output path'));
    check('channels.training', localPathProblem(spec.channels.training, "the 'training' channel"));
    if (spec.channels.checkpoint !== undefined)
      check(
        'channels.checkpoint',
        localPathProblem(spec.channels.checkpoint, "the 'checkpoint' channel"),
      );
  }

  check(
    'instanceCount',
    rangeProblem(spec.instanceCount, LIMITS.instanceCount, 'instance count', 'instances'),
  );
  instanceCountProblems(spec, target, add);
  check('volumeSizeGb', rangeProblem(spec.volumeSizeGb, LIMITS.volumeSizeGb, 'volume size', 'GB'));
  check(
    'maxRuntimeSeconds',
    rangeProblem(
      spec.maxRuntimeSeconds,
      LIMITS.maxRuntimeSeconds,
      'maximum runtime',
      'seconds (1 minute to 28 days)',
    ),
  );

  spotProblems(spec, target, add);

  for (const problem of parseHyperparameters(toSageMakerHyperparameters(spec.hyperparameters))
    .problems) {
    add(`hyperparameters.${problem.name}`, problem.severity, problem.message);
  }

  const tags = Object.entries(spec.tags ?? {});
  if (tags.length > LIMITS.tags)
    add('tags', 'error', `${tags.length} tags given; SageMaker allows at most ${LIMITS.tags}`);
  for (const [key, value] of tags) {
    if (key.length < 1 || key.length > 128)
      add('tags', 'error', `tag key '${key}' must be 1 to 128 characters long`);
    else if (key.toLowerCase().startsWith('aws:'))
      add('tags', 'error', `tag key '${key}' starts with 'aws:', which AWS reserves`);
    else if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(key))
      add('tags', 'error', `tag key '${key}' may only hold letters, digits, spaces and _.:/=+-@`);
    if (value.length > 256)
      add('tags', 'error', `the value of tag '${key}' is longer than 256 characters`);
    else if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value))
      add(
        'tags',
        'error',
        `the value of tag '${key}' may only hold letters, digits, spaces and _.:/=+-@`,
      );
  }
  return problems;
}

/**
 * Throws a UserError naming every error of the spec; returns the warnings (for the caller to show)
 * when there are no errors.
 */
export function assertValidTrainingJobSpec(
  spec: TrainingJobSpec,
  options: ValidateOptions = {},
): SpecProblem[] {
  const problems = validateTrainingJobSpec(spec, options);
  const errors = problems.filter((problem) => problem.severity === 'error');
  if (errors.length) {
    const list = errors.map((problem) => problem.message).join('; ');
    throw new UserError(
      `cannot start training job '${spec.name}': ${errors.length === 1 ? list : `${errors.length} problems: ${list}`}`,
      'Correct the job settings (or the saved job profile) and start it again',
    );
  }
  return problems.filter((problem) => problem.severity === 'warning');
}

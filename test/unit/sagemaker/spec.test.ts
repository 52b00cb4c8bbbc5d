import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  TRAINING_INSTANCE_TYPES,
  assertValidTrainingJobSpec,
  generateJobName,
  isGpuInstanceType,
  resourceNameProblem,
  roleArnProblem,
  s3UriProblem,
  validateTrainingJobSpec,
  withSuffix,
  type SpecProblem,
} from '../../../src/core/jobs';
import { sampleSpec } from './fixtures';

const errors = (problems: SpecProblem[]): string[] =>
  problems.filter((p) => p.severity === 'error').map((p) => `${p.field}: ${p.message}`);
const warnings = (problems: SpecProblem[]): string[] =>
  problems.filter((p) => p.severity === 'warning').map((p) => `${p.field}: ${p.message}`);

describe('training job spec validation', () => {
  it('accepts the sample spec without problems', () => {
    assert.deepEqual(validateTrainingJobSpec(sampleSpec()), []);
    assert.deepEqual(assertValidTrainingJobSpec(sampleSpec()), []);
  });

  it("checks job names by SageMaker's rule", () => {
    assert.equal(resourceNameProblem('a'), undefined);
    assert.equal(resourceNameProblem('tfod--run-1'), undefined);
    assert.equal(resourceNameProblem('x'.repeat(63)), undefined);
    assert.equal(resourceNameProblem(''), 'training job name is empty');
    assert.equal(
      resourceNameProblem('x'.repeat(64)),
      `training job name '${'x'.repeat(64)}' is 64 characters long; at most 63 are allowed`,
    );
    assert.equal(
      resourceNameProblem('my job_1'),
      "training job name 'my job_1' contains a space, '_'; use only letters, digits and hyphens",
    );
    assert.equal(
      resourceNameProblem('-run'),
      "training job name '-run' must start and end with a letter or digit",
    );
    assert.match(resourceNameProblem('run-', 'endpoint name') ?? '', /^endpoint name 'run-'/);
  });

  it('checks role ARNs and says what a good one looks like', () => {
    assert.equal(roleArnProblem('arn:aws:iam::123456789012:role/SageMakerRole'), undefined);
    assert.equal(roleArnProblem('arn:aws-cn:iam::123456789012:role/path/to/R+=,.@-_'), undefined);
    assert.match(roleArnProblem('') ?? '', /role ARN is empty/);
    assert.match(
      roleArnProblem('arn:aws:iam::123456789012:user/alice') ?? '',
      /is an IAM user, not a role/,
    );
    assert.match(
      roleArnProblem('arn:aws:iam::1234:role/R') ?? '',
      /must carry a 12-digit account id/,
    );
    assert.match(
      roleArnProblem('SageMakerRole') ?? '',
      /^'SageMakerRole' is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role\/<name>, e\.g\. arn:aws:iam::123456789012:role\/SageMakerExecutionRole$/,
    );
  });

  it("checks S3 URIs with core/s3's advice", () => {
    assert.equal(s3UriProblem('s3://my-bucket', 'output path'), undefined);
    assert.equal(s3UriProblem('s3://my.bucket-1/a/b/', 'output path'), undefined);
    assert.match(s3UriProblem('', 'output path') ?? '', /output path is empty/);
    assert.equal(
      s3UriProblem('https://my-bucket.s3.amazonaws.com/data', 'output path'),
      "output path: 'https://my-bucket.s3.amazonaws.com/data' is not an S3 location: it is an http(s) URL. Use s3://my-bucket/data instead",
    );
    assert.match(s3UriProblem('/home/me/data', 'x') ?? '', /does not start with 's3:\/\/'/);
    assert.match(s3UriProblem('s3://My_Bucket/data', 'x') ?? '', /bucket name 'My_Bucket'/);
    assert.match(
      s3UriProblem(`s3://abc/${'k'.repeat(1100)}`, 'x') ?? '',
      /longer than SageMaker's 1024/,
    );
  });

  it('reports every error of a bad spec at once, by field', () => {
    const problems = validateTrainingJobSpec(
      sampleSpec({
        name: 'my job',
        image: 'tfod:latest',
        roleArn: 'admin',
        instanceType: 'p3.2xlarge',
        instanceCount: 0,
        volumeSizeGb: 0.5,
        maxRuntimeSeconds: 30 * 24 * 3600,
        outputPath: 'my-bucket/output',
        hyperparameters: { numSteps: 0, quantize: false, imageSize: 300, inferenceType: 'FLOAT' },
        channels: { training: 's3://my-bucket/data/', checkpoint: 'file:///tmp' },
        tags: { 'aws:owner': 'x' },
      }),
    );
    assert.deepEqual(
      errors(problems).map((line) => line.slice(0, line.indexOf(':'))),
      [
        'name',
        'image',
        'roleArn',
        'instanceType',
        'outputPath',
        'channels.checkpoint',
        'instanceCount',
        'volumeSizeGb',
        'maxRuntimeSeconds',
        'hyperparameters.num_steps',
        'tags',
      ],
    );
    const text = errors(problems).join('\n');
    assert.match(text, /image 'tfod:latest' is not in Amazon ECR/);
    assert.match(
      text,
      /instance type 'p3\.2xlarge' is not a SageMaker instance type; use one such as ml\.p3\.2xlarge, ml\.g4dn\.xlarge, ml\.g5\.xlarge/,
    );
    assert.match(text, /instance count must be between 1 and 100 instances, got 0/);
    assert.match(text, /volume size must be a whole number of GB, got 0\.5/);
    assert.match(text, /maximum runtime must be between 60 and 2419200 seconds/);
    assert.match(text, /num_steps must be between 1 and 100000000, got 0/);
    assert.match(text, /tag key 'aws:owner' starts with 'aws:'/);
    assert.match(text, /the 'checkpoint' channel: 'file:\/\/\/tmp' is not an S3 location/);
  });

  it('trains on several instances with a TF2 image, refuses it with a TF1 image, and caps the local hosts', () => {
    const twoHosts = (image: string, count: number, target: 'local' | 'sagemaker') =>
      validateTrainingJobSpec(
        sampleSpec({
          image,
          instanceCount: count,
          ...(target === 'local'
            ? { outputPath: '/tmp/out', channels: { training: '/tmp/data' } }
            : {}),
        }),
        { target },
      ).filter((problem) => problem.field === 'instanceCount');
    const repository = sampleSpec().image.replace(/:[^:]+$/, '');
    assert.deepEqual(twoHosts(`${repository}:2.9.1-gpu`, 2, 'sagemaker'), []);
    assert.deepEqual(
      twoHosts(`${repository}:1.15.0-gpu`, 2, 'sagemaker').map((p) => [p.severity, p.message]),
      [
        [
          'error',
          "the TF1 image '1.15.0-gpu' trains on one instance (the Object Detection API's TF1 model_main.py has no multi-worker training); set the instance count to 1, or use a TF2 image",
        ],
      ],
    );
    assert.deepEqual(
      twoHosts('tfod-sagemaker:2.9.1', 2, 'local').map((p) => p.severity),
      ['warning'],
    );
    assert.match(
      twoHosts('tfod-sagemaker:2.9.1', 5, 'local')[0]?.message ?? '',
      /the local target runs at most 4 hosts .* not 5/,
    );
    assert.deepEqual(twoHosts('tfod-sagemaker:1.15.0', 1, 'local'), []);
  });

  it('warns about what is allowed but likely a mistake', () => {
    const problems = validateTrainingJobSpec(
      sampleSpec({
        instanceType: 'ml.m5.large',
        instanceCount: 2,
        hyperparameters: {
          numSteps: 100,
          quantize: false,
          imageSize: 640,
          inferenceType: 'QUANTIZED_UINT8',
        },
      }),
    );
    assert.deepEqual(errors(problems), []);
    assert.deepEqual(warnings(problems), [
      "instanceType: the image tag 'gpu' is a GPU build but ml.m5.large has no GPU; pick a GPU instance type or the CPU image",
      'hyperparameters.inference_type: inference_type QUANTIZED_UINT8 only applies to the TensorFlow Lite export; set quantize to true to get one',
      'hyperparameters.image_size: image_size only applies to the TensorFlow Lite export; set quantize to true to get one',
    ]);
    assert.deepEqual(
      warnings(
        validateTrainingJobSpec(
          sampleSpec({
            image: sampleSpec().image.replace(':gpu', ':2.9.1'),
            instanceType: 'ml.p3.2xlarge',
          }),
        ),
      ),
      [
        "instanceType: ml.p3.2xlarge has a GPU but the image tag '2.9.1' is a CPU build; the GPU would sit idle",
      ],
    );
    assert.match(
      warnings(validateTrainingJobSpec(sampleSpec({ instanceType: 'ml.g6e.xlarge' }))).join(),
      /instance type 'ml\.g6e\.xlarge' is not one this extension knows/,
    );
  });

  it('throws one UserError naming every error, and returns warnings otherwise', () => {
    assert.throws(
      () => assertValidTrainingJobSpec(sampleSpec({ roleArn: '', volumeSizeGb: 0 })),
      (error: unknown) =>
        error instanceof UserError &&
        /^cannot start training job 'tfod-20240131-235959': 2 problems: role ARN is empty.*; volume size must be between 1 and 16384 GB, got 0$/.test(
          error.message,
        ) &&
        error.fix !== undefined,
    );
    assert.equal(
      assertValidTrainingJobSpec(
        sampleSpec({ instanceCount: 3, outputPath: '/tmp/out', channels: { training: '/tmp/d' } }),
        { target: 'local' },
      )[0]?.field,
      'instanceCount',
    );
  });

  it('managed spot: the max wait must cover the runtime, and only comes with spot', () => {
    assert.deepEqual(
      validateTrainingJobSpec(sampleSpec({ spot: true, maxWaitSeconds: 86_400 })),
      [],
    );
    assert.deepEqual(
      errors(validateTrainingJobSpec(sampleSpec({ spot: true, maxWaitSeconds: 3600 }))),
      [
        'maxWaitSeconds: the maximum wait (3600 s) is shorter than the maximum runtime (86400 s); SageMaker needs MaxWaitTimeInSeconds >= MaxRuntimeInSeconds: raise --max-wait to at least 86400 or lower --max-runtime',
      ],
    );
    assert.match(
      errors(validateTrainingJobSpec(sampleSpec({ maxWaitSeconds: 90_000 })))[0] ?? '',
      /^maxWaitSeconds: a maximum wait applies only to managed spot training; add --spot/,
    );
    assert.match(
      errors(validateTrainingJobSpec(sampleSpec({ spot: true, maxWaitSeconds: 30 * 86_400 })))[0] ??
        '',
      /maximum wait must be between 60 and 2419200 seconds/,
    );
    assert.match(
      errors(validateTrainingJobSpec(sampleSpec({ checkpointsPath: 'my-bucket/ckpt' })))[0] ?? '',
      /^checkpointsPath: the checkpoints path: /,
    );
    assert.match(
      errors(validateTrainingJobSpec(sampleSpec({ tensorboardPath: 'tb/' })))[0] ?? '',
      /^tensorboardPath: the TensorBoard path: /,
    );
    assert.throws(
      () => assertValidTrainingJobSpec(sampleSpec({ spot: true, maxWaitSeconds: 3600 })),
      (error: unknown) =>
        error instanceof UserError &&
        /MaxWaitTimeInSeconds >= MaxRuntimeInSeconds/.test(error.message),
    );
  });

  it('checks folders instead of S3 and skips the role for the local target', () => {
    const local = sampleSpec({
      image: 'tfod:cpu',
      roleArn: '',
      instanceType: 'local',
      outputPath: '/home/me/project/.tfod/jobs',
      channels: { training: 'file:///home/me/project/data', checkpoint: 'relative/model' },
    });
    assert.deepEqual(errors(validateTrainingJobSpec(local, { target: 'local' })), [
      "channels.checkpoint: the 'checkpoint' channel 'relative/model' must be an absolute path on this machine",
    ]);
  });
});

describe('job names and instance types', () => {
  it('generates tfod-<yyyymmdd-hhmmss> in UTC', () => {
    const name = generateJobName(new Date(Date.UTC(2024, 0, 31, 23, 59, 5)));
    assert.equal(name, 'tfod-20240131-235905');
    assert.equal(resourceNameProblem(name), undefined);
    assert.equal(
      generateJobName(new Date(Date.UTC(2024, 0, 1)), 'my pets_model'),
      'my-pets-model-20240101-000000',
    );
  });

  it('keeps suffixed names within 63 characters', () => {
    const long = withSuffix('e'.repeat(70), '20240101-000000');
    assert.equal(long.length, 63);
    assert.equal(resourceNameProblem(long), undefined);
    assert.equal(withSuffix('--', '20240101-000000'), '20240101-000000');
  });

  it('lists GPU training types first, starting with the common ones', () => {
    const names = TRAINING_INSTANCE_TYPES.map((type) => type.name);
    assert.deepEqual(names.slice(0, 3), ['ml.p3.2xlarge', 'ml.g4dn.xlarge', 'ml.g5.xlarge']);
    const firstCpu = TRAINING_INSTANCE_TYPES.findIndex((type) => type.gpus === 0);
    assert.ok(firstCpu > 0);
    assert.ok(TRAINING_INSTANCE_TYPES.slice(firstCpu).every((type) => type.gpus === 0));
    assert.equal(isGpuInstanceType('ml.g6e.2xlarge'), true);
    assert.equal(isGpuInstanceType('ml.m5.large'), false);
    assert.equal(isGpuInstanceType('ml.trn1.2xlarge'), false);
  });
});

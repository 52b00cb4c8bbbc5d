import type { TrainingJobDetails, TrainingJobSpec } from '../../../src/core/jobs/types';

export const ACCOUNT = '123456789012';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/SageMakerExecutionRole`;
export const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/tfod:gpu`;

/** A spec as the guided flow produces it for the seed's layout. */
export function sampleSpec(overrides: Partial<TrainingJobSpec> = {}): TrainingJobSpec {
  return {
    name: 'tfod-20240131-235959',
    image: IMAGE,
    roleArn: ROLE,
    instanceType: 'ml.g4dn.xlarge',
    instanceCount: 1,
    volumeSizeGb: 50,
    maxRuntimeSeconds: 86_400,
    outputPath: 's3://my-bucket/output/',
    hyperparameters: { numSteps: 5000, quantize: true, imageSize: 320, inferenceType: 'FLOAT' },
    channels: {
      training: 's3://my-bucket/data/',
      checkpoint: 's3://my-bucket/data/ssd_mobilenet_v2/',
    },
    tags: { project: 'pets', owner: 'me@example.com' },
    ...overrides,
  };
}

/** A Completed SageMaker job with its model artifact, as DescribeTrainingJob reads back. */
export function completedJob(name: string): TrainingJobDetails {
  return {
    target: 'sagemaker',
    name,
    id: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}`,
    status: 'Completed',
    creationTime: new Date(0),
    image: IMAGE,
    roleArn: ROLE,
    hyperparameters: {},
    lastMetrics: {},
    modelArtifacts: `s3://my-bucket/output/${name}/output/model.tar.gz`,
    statusHistory: [],
  };
}

/** A completed SageMaker job with a model to deploy. */
export const COMPLETED_JOB: TrainingJobDetails = completedJob('tfod-20240131-235959');

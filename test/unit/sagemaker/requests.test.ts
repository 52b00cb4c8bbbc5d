import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildCreateEndpointConfigRequest,
  buildCreateEndpointRequest,
  buildCreateModelRequest,
  buildCreateTrainingJobRequest,
  buildUpdateEndpointRequest,
} from '../../../src/core/sagemaker/requests';
import { METRIC_DEFINITIONS } from '../../../src/core/training/metrics';
import { assertValidRequest, cliOperation, validateWithAwsCli } from './awsCli';
import { IMAGE, ROLE, sampleSpec } from './fixtures';

// The exact requests the SageMaker target sends, and proof that each passes the AWS CLI's offline
// parameter validation (the botocore API model), so a shape error never reaches a user's account.
describe('SageMaker request builders', () => {
  it('CreateTrainingJob has the image, File mode, metrics, string hyperparameters and both channels', () => {
    const request = buildCreateTrainingJobRequest(sampleSpec());
    assert.deepEqual(request, {
      TrainingJobName: 'tfod-20240131-235959',
      RoleArn: ROLE,
      AlgorithmSpecification: {
        TrainingImage: IMAGE,
        TrainingInputMode: 'File',
        MetricDefinitions: METRIC_DEFINITIONS.map(({ Name, Regex }) => ({ Name, Regex })),
        EnableSageMakerMetricsTimeSeries: true,
      },
      HyperParameters: {
        num_steps: '5000',
        quantize: 'true',
        image_size: '320',
        inference_type: 'FLOAT',
      },
      InputDataConfig: [
        {
          ChannelName: 'training',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: 's3://my-bucket/data/',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
          InputMode: 'File',
        },
        {
          ChannelName: 'checkpoint',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: 's3://my-bucket/data/ssd_mobilenet_v2/',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
          InputMode: 'File',
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://my-bucket/output/' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
      TensorBoardOutputConfig: {
        S3OutputPath: 's3://my-bucket/output/tfod-20240131-235959/tensorboard/',
        LocalPath: '/opt/ml/output/tensorboard',
      },
      Tags: [
        { Key: 'project', Value: 'pets' },
        { Key: 'owner', Value: 'me@example.com' },
      ],
    });
    assert.ok(
      request.AlgorithmSpecification?.MetricDefinitions?.some((d) => d.Name === 'total_loss'),
    );
  });

  it('leaves out the checkpoint channel and Tags when there are none', () => {
    const request = buildCreateTrainingJobRequest(
      sampleSpec({ channels: { training: 's3://b-1/data' }, tags: {} }),
    );
    assert.deepEqual(
      request.InputDataConfig?.map((channel) => channel.ChannelName),
      ['training'],
    );
    assert.equal('Tags' in request, false);
  });

  it('managed spot: EnableManagedSpotTraining, MaxWaitTimeInSeconds and checkpoints under the output path', () => {
    const request = buildCreateTrainingJobRequest(
      sampleSpec({ spot: true, maxWaitSeconds: 172_800 }),
    );
    assert.equal(request.EnableManagedSpotTraining, true);
    assert.deepEqual(request.StoppingCondition, {
      MaxRuntimeInSeconds: 86_400,
      MaxWaitTimeInSeconds: 172_800,
    });
    assert.deepEqual(request.CheckpointConfig, {
      S3Uri: 's3://my-bucket/output/tfod-20240131-235959/checkpoints/',
      LocalPath: '/opt/ml/checkpoints',
    });
    // Without --max-wait: twice the runtime, within SageMaker's 28 days.
    const defaulted = buildCreateTrainingJobRequest(
      sampleSpec({ spot: true, maxRuntimeSeconds: 20 * 24 * 3600 }),
    );
    assert.equal(defaulted.StoppingCondition?.MaxWaitTimeInSeconds, 28 * 24 * 3600);
  });

  it('a chosen checkpoints URI is used as given, with or without spot', () => {
    const spot = buildCreateTrainingJobRequest(
      sampleSpec({ spot: true, checkpointsPath: 's3://ckpt-bucket/run-7/' }),
    );
    assert.equal(spot.CheckpointConfig?.S3Uri, 's3://ckpt-bucket/run-7/');
    const onDemand = buildCreateTrainingJobRequest(
      sampleSpec({ checkpointsPath: 's3://ckpt-bucket/run-7/' }),
    );
    assert.equal('EnableManagedSpotTraining' in onDemand, false);
    assert.equal('MaxWaitTimeInSeconds' in (onDemand.StoppingCondition ?? {}), false);
    assert.equal(onDemand.CheckpointConfig?.LocalPath, '/opt/ml/checkpoints');
    const plain = buildCreateTrainingJobRequest(sampleSpec());
    assert.equal('CheckpointConfig' in plain, false);
    assert.equal('EnableManagedSpotTraining' in plain, false);
  });

  it('keeps the TensorFlow event files: TensorBoardOutputConfig, under the output path or where chosen', () => {
    const chosen = buildCreateTrainingJobRequest(
      sampleSpec({ tensorboardPath: 's3://tb-bucket/runs/pets/', outputPath: 's3://b-1/out' }),
    );
    assert.deepEqual(chosen.TensorBoardOutputConfig, {
      S3OutputPath: 's3://tb-bucket/runs/pets/',
      LocalPath: '/opt/ml/output/tensorboard',
    });
    // An output path without the trailing slash gets the same layout.
    assert.equal(
      buildCreateTrainingJobRequest(sampleSpec({ outputPath: 's3://b-1/out' }))
        .TensorBoardOutputConfig?.S3OutputPath,
      's3://b-1/out/tfod-20240131-235959/tensorboard/',
    );
  });

  it('CreateModel serves the job artifacts with its image and role', () => {
    assert.deepEqual(
      buildCreateModelRequest({
        modelName: 'tfod-20240131-235959',
        image: IMAGE,
        modelDataUrl: 's3://my-bucket/output/tfod-20240131-235959/output/model.tar.gz',
        roleArn: ROLE,
        environment: { MODEL_SERVER_WORKERS: '2' },
        tags: { project: 'pets' },
      }),
      {
        ModelName: 'tfod-20240131-235959',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: {
          Image: IMAGE,
          ModelDataUrl: 's3://my-bucket/output/tfod-20240131-235959/output/model.tar.gz',
          Environment: { MODEL_SERVER_WORKERS: '2' },
        },
        Tags: [{ Key: 'project', Value: 'pets' }],
      },
    );
  });

  it('CreateEndpointConfig has one AllTraffic variant; CreateEndpoint and UpdateEndpoint name it', () => {
    assert.deepEqual(
      buildCreateEndpointConfigRequest({
        configName: 'pets-20240201-000000',
        modelName: 'm',
        instanceType: 'ml.m5.large',
        instanceCount: 2,
      }),
      {
        EndpointConfigName: 'pets-20240201-000000',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'm',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 2,
            InitialVariantWeight: 1,
          },
        ],
      },
    );
    assert.deepEqual(
      buildCreateEndpointRequest({ endpointName: 'pets', configName: 'c', tags: { a: 'b' } }),
      { EndpointName: 'pets', EndpointConfigName: 'c', Tags: [{ Key: 'a', Value: 'b' }] },
    );
    assert.deepEqual(buildUpdateEndpointRequest({ endpointName: 'pets', configName: 'c2' }), {
      EndpointName: 'pets',
      EndpointConfigName: 'c2',
    });
  });
});

describe('the AWS CLI validates the built requests offline', () => {
  it('names operations as the CLI does', () => {
    assert.equal(cliOperation('CreateTrainingJobCommand'), 'create-training-job');
    assert.equal(cliOperation('UpdateEndpoint'), 'update-endpoint');
  });

  it('rejects a deliberately bad request (a number in HyperParameters), so the check can fail', () => {
    const bad = {
      ...buildCreateTrainingJobRequest(sampleSpec()),
      HyperParameters: { num_steps: 5000 },
    };
    const verdict = validateWithAwsCli('sagemaker', 'CreateTrainingJob', bad);
    assert.equal(verdict.valid, false);
    assert.match(verdict.valid ? '' : verdict.message, /HyperParameters\.num_steps/);
  });

  it('rejects an unknown field and a missing required one', () => {
    const request = buildCreateEndpointConfigRequest({
      configName: 'c',
      modelName: 'm',
      instanceType: 'ml.m5.large',
      instanceCount: 1,
    });
    const unknown = validateWithAwsCli('sagemaker', 'CreateEndpointConfig', {
      ...request,
      Variants: [],
    });
    assert.match(unknown.valid ? '' : unknown.message, /Unknown parameter in input: "Variants"/);
    const missing = validateWithAwsCli('sagemaker', 'CreateEndpoint', { EndpointName: 'e' });
    assert.match(missing.valid ? '' : missing.message, /EndpointConfigName/);
  });

  it('accepts CreateTrainingJob, with and without the optional parts', () => {
    assertValidRequest(
      'sagemaker',
      'CreateTrainingJob',
      buildCreateTrainingJobRequest(sampleSpec()),
    );
    assertValidRequest(
      'sagemaker',
      'CreateTrainingJob',
      buildCreateTrainingJobRequest(
        sampleSpec({ channels: { training: 's3://b-1/data' }, tags: {} }),
      ),
    );
  });

  it('accepts CreateTrainingJob with managed spot and a checkpoint config', () => {
    assertValidRequest(
      'sagemaker',
      'CreateTrainingJob',
      buildCreateTrainingJobRequest(sampleSpec({ spot: true, maxWaitSeconds: 100_000 })),
    );
    assertValidRequest(
      'sagemaker',
      'CreateTrainingJob',
      buildCreateTrainingJobRequest(sampleSpec({ checkpointsPath: 's3://b-1/ckpt/' })),
    );
    assertValidRequest(
      'sagemaker',
      'CreateTrainingJob',
      buildCreateTrainingJobRequest(sampleSpec({ tensorboardPath: 's3://tb-bucket/runs/' })),
    );
    const noTensorBoardPath = validateWithAwsCli('sagemaker', 'CreateTrainingJob', {
      ...buildCreateTrainingJobRequest(sampleSpec()),
      TensorBoardOutputConfig: { LocalPath: '/opt/ml/output/tensorboard' },
    });
    assert.match(noTensorBoardPath.valid ? '' : noTensorBoardPath.message, /S3OutputPath/);
    // And the check can fail on these fields: a checkpoint config without its S3Uri.
    const bad = buildCreateTrainingJobRequest(sampleSpec({ spot: true }));
    const verdict = validateWithAwsCli('sagemaker', 'CreateTrainingJob', {
      ...bad,
      CheckpointConfig: { LocalPath: '/opt/ml/checkpoints' },
    });
    assert.match(verdict.valid ? '' : verdict.message, /S3Uri/);
  });

  it('accepts CreateModel, CreateEndpointConfig, CreateEndpoint and UpdateEndpoint', () => {
    assertValidRequest(
      'sagemaker',
      'CreateModel',
      buildCreateModelRequest({
        modelName: 'm',
        image: IMAGE,
        modelDataUrl: 's3://b/o/model.tar.gz',
        roleArn: ROLE,
        environment: { MODEL_SERVER_WORKERS: '2' },
        tags: { a: 'b' },
      }),
    );
    assertValidRequest(
      'sagemaker',
      'CreateEndpointConfig',
      buildCreateEndpointConfigRequest({
        configName: 'c',
        modelName: 'm',
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        tags: { a: 'b' },
      }),
    );
    assertValidRequest(
      'sagemaker',
      'CreateEndpoint',
      buildCreateEndpointRequest({ endpointName: 'e', configName: 'c', tags: { a: 'b' } }),
    );
    assertValidRequest(
      'sagemaker',
      'UpdateEndpoint',
      buildUpdateEndpointRequest({ endpointName: 'e', configName: 'c2' }),
    );
  });
});

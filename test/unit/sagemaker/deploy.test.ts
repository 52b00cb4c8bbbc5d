import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, UserError } from '../../../src/core/errors';
import type { DeployProgress } from '../../../src/core/jobs/types';
import { deployJob, type DeployClients } from '../../../src/core/sagemaker/deploy';
import { assertValidRequest } from './awsCli';
import { COMPLETED_JOB, IMAGE, ROLE } from './fixtures';
import { StubClient, notFound, type Handler } from './stubs';

const JOB = COMPLETED_JOB;
const NOW = (): Date => new Date(Date.UTC(2024, 1, 1, 12, 0, 0));
const CONFIG = 'pets-20240201-120000';
const REQUEST = {
  job: JOB.name,
  endpointName: 'pets',
  instanceType: 'ml.m5.large',
  instanceCount: 1,
};

/** DescribeEndpoint answers, one per call; the last repeats. */
function endpointStates(...states: Record<string, unknown>[]): Handler {
  let call = 0;
  return () => {
    const state = states[Math.min(call++, states.length - 1)];
    if (state === undefined || state.missing) throw notFound('endpoint');
    return {
      EndpointName: 'pets',
      EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/pets',
      ...state,
    };
  };
}

function sagemaker(handlers: Record<string, Handler>): StubClient {
  return new StubClient({
    DescribeModel: () => {
      throw notFound('model');
    },
    CreateModel: () => ({ ModelArn: 'arn:model' }),
    CreateEndpointConfig: () => ({ EndpointConfigArn: 'arn:config' }),
    CreateEndpoint: () => ({ EndpointArn: 'arn:endpoint' }),
    UpdateEndpoint: () => ({ EndpointArn: 'arn:endpoint' }),
    ...handlers,
  });
}

/** Application Auto Scaling with nothing registered, unless handlers say otherwise. */
function autoscaling(handlers: Record<string, Handler> = {}): StubClient {
  return new StubClient({
    DescribeScalableTargets: () => ({ ScalableTargets: [] }),
    DescribeScalingPolicies: () => ({ ScalingPolicies: [] }),
    ...handlers,
  });
}

function clientsOf(sagemakerStub: StubClient, scalingStub = autoscaling()): DeployClients {
  return { sagemaker: sagemakerStub.asSageMaker(), autoscaling: scalingStub.asAutoscaling() };
}

/** Every mutating request the stub saw passes the AWS CLI's parameter validation. */
function assertRequestsValid(client: StubClient): void {
  for (const call of client.calls.filter((c) => /^(Create|Update)/.test(c.operation)))
    assertValidRequest('sagemaker', call.operation, call.input);
}

describe('deploy a training job to an endpoint', () => {
  it('creates model, config and endpoint, then waits with progress until InService', async () => {
    const client = sagemaker({
      DescribeEndpoint: endpointStates(
        { missing: true },
        { EndpointStatus: 'Creating', EndpointConfigName: CONFIG },
        { EndpointStatus: 'Creating', EndpointConfigName: CONFIG },
        {
          EndpointStatus: 'InService',
          EndpointConfigName: CONFIG,
          ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1 }],
        },
      ),
    });
    const progress: DeployProgress[] = [];
    const result = await deployJob(
      clientsOf(client),
      JOB,
      { ...REQUEST, environment: { MODEL_SERVER_WORKERS: '2' }, tags: { project: 'pets' } },
      { pollIntervalMs: 1, onProgress: (p) => progress.push(p) },
      NOW,
    );
    assert.deepEqual(client.operations(), [
      'DescribeEndpoint',
      'DescribeModel',
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
      'DescribeEndpoint',
      'DescribeEndpoint',
      'DescribeEndpoint',
    ]);
    assert.deepEqual(client.calls[2]?.input, {
      ModelName: JOB.name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: IMAGE,
        ModelDataUrl: JOB.modelArtifacts,
        Environment: { MODEL_SERVER_WORKERS: '2' },
      },
      Tags: [{ Key: 'project', Value: 'pets' }],
    });
    assert.equal(client.calls[3]?.input.EndpointConfigName, CONFIG);
    assert.deepEqual(client.calls[4]?.input, {
      EndpointName: 'pets',
      EndpointConfigName: CONFIG,
      Tags: [{ Key: 'project', Value: 'pets' }],
    });
    assert.deepEqual(
      progress.map((p) => `${p.phase}${p.status ? `:${p.status}` : ''}`),
      ['model', 'config', 'create', 'wait:Creating', 'wait:Creating', 'wait:InService'],
    );
    assert.equal(result.updated, false);
    assert.equal(result.modelName, JOB.name);
    assert.equal(result.configName, CONFIG);
    assert.equal(result.endpoint.status, 'InService');
    assert.equal(result.endpoint.instanceCount, 1);
    assertRequestsValid(client);
  });

  it('updates an existing endpoint in place, reusing the same model', async () => {
    const client = sagemaker({
      DescribeModel: () => ({
        ModelName: JOB.name,
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: JOB.modelArtifacts },
      }),
      DescribeEndpoint: endpointStates(
        { EndpointStatus: 'InService', EndpointConfigName: 'pets-old' },
        // Right after UpdateEndpoint the old state may still show.
        { EndpointStatus: 'InService', EndpointConfigName: 'pets-old' },
        { EndpointStatus: 'Updating', EndpointConfigName: 'pets-old' },
        { EndpointStatus: 'InService', EndpointConfigName: CONFIG },
      ),
    });
    const result = await deployJob(clientsOf(client), JOB, REQUEST, { pollIntervalMs: 1 }, NOW);
    assert.equal(result.updated, true);
    assert.ok(!client.operations().includes('CreateModel'));
    assert.ok(!client.operations().includes('CreateEndpoint'));
    const update = client.calls.find((call) => call.operation === 'UpdateEndpoint');
    assert.deepEqual(update?.input, { EndpointName: 'pets', EndpointConfigName: CONFIG });
    assertRequestsValid(client);
  });

  it('makes a new model when one of the job name serves something else', async () => {
    const client = sagemaker({
      DescribeModel: () => ({
        ModelName: JOB.name,
        PrimaryContainer: { Image: 'other-image', ModelDataUrl: JOB.modelArtifacts },
      }),
      DescribeEndpoint: endpointStates(
        { missing: true },
        { EndpointStatus: 'InService', EndpointConfigName: CONFIG },
      ),
    });
    const result = await deployJob(clientsOf(client), JOB, REQUEST, { pollIntervalMs: 1 }, NOW);
    assert.equal(result.modelName, `${JOB.name}-20240201-120000`);
    assert.equal(
      client.calls.find((call) => call.operation === 'CreateModel')?.input.ModelName,
      result.modelName,
    );
  });

  it("fails with SageMaker's FailureReason", async () => {
    const client = sagemaker({
      DescribeEndpoint: endpointStates(
        { missing: true },
        { EndpointStatus: 'Creating', EndpointConfigName: CONFIG },
        {
          EndpointStatus: 'Failed',
          EndpointConfigName: CONFIG,
          FailureReason:
            'The primary container for production variant AllTraffic did not pass the ping health check.',
        },
      ),
    });
    await assert.rejects(
      deployJob(clientsOf(client), JOB, REQUEST, { pollIntervalMs: 1 }, NOW),
      (error: unknown) =>
        error instanceof UserError &&
        error.message ===
          "endpoint 'pets' failed: The primary container for production variant AllTraffic did not pass the ping health check." &&
        /\/aws\/sagemaker\/Endpoints\/pets/.test(error.fix ?? ''),
    );
  });

  it('reports a rolled-back update as a failure that left the old model serving', async () => {
    const client = sagemaker({
      DescribeEndpoint: endpointStates(
        { EndpointStatus: 'InService', EndpointConfigName: 'pets-old' },
        { EndpointStatus: 'Updating', EndpointConfigName: 'pets-old' },
        { EndpointStatus: 'RollingBack', EndpointConfigName: 'pets-old' },
        {
          EndpointStatus: 'InService',
          EndpointConfigName: 'pets-old',
          FailureReason: 'ping failed',
        },
      ),
    });
    await assert.rejects(
      deployJob(clientsOf(client), JOB, REQUEST, { pollIntervalMs: 1 }, NOW),
      (error: unknown) =>
        error instanceof UserError &&
        error.message === "endpoint 'pets' could not be updated: ping failed" &&
        /previous model/.test(error.fix ?? ''),
    );
  });

  it('refuses jobs without a model and endpoints that are busy, before creating anything', async () => {
    const client = sagemaker({});
    await assert.rejects(
      deployJob(clientsOf(client), { ...JOB, status: 'InProgress' }, REQUEST, {}, NOW),
      /training job 'tfod-20240131-235959' is InProgress; only a Completed job has a model to deploy/,
    );
    await assert.rejects(
      deployJob(
        clientsOf(client),
        JOB,
        { ...REQUEST, endpointName: 'my_endpoint', instanceCount: 0 },
        {},
        NOW,
      ),
      /cannot deploy 'tfod-20240131-235959': endpoint name 'my_endpoint' contains '_'.*; instance count must be a whole number of at least 1, got 0/,
    );
    assert.deepEqual(client.calls, []);
    const busy = sagemaker({
      DescribeEndpoint: endpointStates({ EndpointStatus: 'Updating', EndpointConfigName: 'x' }),
    });
    await assert.rejects(
      deployJob(clientsOf(busy), JOB, REQUEST, {}, NOW),
      /endpoint 'pets' is Updating; it can only be updated while InService/,
    );
    assert.ok(!busy.operations().includes('UpdateEndpoint'));
  });

  it('stops waiting when aborted, and gives up after the timeout', async () => {
    const controller = new AbortController();
    const creating = (): StubClient =>
      sagemaker({
        DescribeEndpoint: endpointStates(
          { missing: true },
          { EndpointStatus: 'Creating', EndpointConfigName: CONFIG },
        ),
      });
    const waiting = deployJob(
      clientsOf(creating()),
      JOB,
      REQUEST,
      {
        pollIntervalMs: 10_000,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'wait') controller.abort();
        },
      },
      NOW,
    );
    await assert.rejects(waiting, (error: unknown) => error instanceof CancelledError);
    await assert.rejects(
      deployJob(clientsOf(creating()), JOB, REQUEST, { pollIntervalMs: 1, timeoutMs: 20 }, NOW),
      /endpoint 'pets' is still Creating after 0 minutes/,
    );
  });
});

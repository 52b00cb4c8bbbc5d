import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '../../../src/core/aws/session';
import { UserError } from '../../../src/core/errors';
import { endpointAutoscaling } from '../../../src/core/jobs/endpointCapacity';
import type { DeployRequest } from '../../../src/core/jobs';
import { SageMakerTarget, variantResourceId } from '../../../src/core/sagemaker';
import { useMoto } from '../harness/services';
import { sampleSpec } from '../../unit/sagemaker/fixtures';
import { guardScalingBoundary, guardSdkBoundary, type BoundaryCall } from './harness';

// Endpoint autoscaling and serverless through the real SDK against moto: what the target
// registers is read back with Application Auto Scaling's own Describe calls. Every mutating
// request passes the AWS CLI's validation first; UpdateEndpoint is faked (moto lacks it).
describe('endpoint autoscaling and serverless against moto', () => {
  let moto: ReturnType<typeof useMoto>;
  let target: SageMakerTarget;
  let raw: ApplicationAutoScalingClient;
  let scalingCalls: BoundaryCall[];
  let sagemakerCalls: BoundaryCall[];
  const run = `${process.pid}-${Date.now() % 100000}`;
  const job = `tfod-scale-${run}`;
  const endpoint = `scaled-${run}`;
  const resource = variantResourceId(endpoint);

  before(async () => {
    moto = useMoto();
    target = new SageMakerTarget();
    sagemakerCalls = guardSdkBoundary(target.clients.sagemaker);
    scalingCalls = guardScalingBoundary(target.clients.autoscaling);
    raw = new ApplicationAutoScalingClient(awsClientConfig({}));
    await target.startTrainingJob(sampleSpec({ name: job })); // moto completes it at once
  });
  after(() => {
    target?.dispose();
    raw?.destroy();
    moto?.restore();
  });

  const request = (extra: Partial<DeployRequest> = {}): DeployRequest => ({
    job,
    endpointName: endpoint,
    instanceType: 'ml.m5.large',
    instanceCount: 1,
    ...extra,
  });
  const registered = async () => {
    const targets = await raw.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'sagemaker',
        ResourceIds: [resource],
      }),
    );
    const policies = await raw.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker', ResourceId: resource }),
    );
    return {
      targets: (targets.ScalableTargets ?? []).filter((t) => t.ResourceId === resource),
      policies: (policies.ScalingPolicies ?? []).filter((p) => p.ResourceId === resource),
    };
  };
  // Config names carry a timestamp to the second: an update needs another second.
  const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

  it('registers the variant and a target-tracking policy; describes them back', async () => {
    const scaling = endpointAutoscaling(
      { minInstances: 1, maxInstances: 3 },
      { targetInvocations: 100, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 30 },
    );
    const result = await target.deploy(request({ autoscaling: scaling }), { pollIntervalMs: 50 });
    assert.equal(result.endpoint.status, 'InService');
    const { targets, policies } = await registered();
    assert.deepEqual(
      targets.map((t) => [t.ScalableDimension, t.MinCapacity, t.MaxCapacity]),
      [['sagemaker:variant:DesiredInstanceCount', 1, 3]],
    );
    assert.equal(policies.length, 1);
    assert.equal(policies[0]?.PolicyType, 'TargetTrackingScaling');
    assert.deepEqual(policies[0]?.TargetTrackingScalingPolicyConfiguration, {
      TargetValue: 100,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
      },
      ScaleInCooldown: 600,
      ScaleOutCooldown: 30,
    });
    const described = await target.describeEndpoint(endpoint);
    assert.deepEqual(described.autoscaling, scaling);
    assert.equal(described.instanceCount, 1);
    assert.deepEqual(
      scalingCalls.map((c) => c.operation),
      ['RegisterScalableTarget', 'PutScalingPolicy'],
    );
  });

  it('an update in place to a fixed count deletes the policy and deregisters the variant', async () => {
    await nextSecond();
    const result = await target.deploy(request({ instanceCount: 2 }), { pollIntervalMs: 50 });
    assert.equal(result.updated, true);
    assert.deepEqual(await registered(), { targets: [], policies: [] });
    const described = await target.describeEndpoint(endpoint);
    assert.equal(described.autoscaling, undefined);
    assert.equal(described.instanceCount, 2);
    assert.deepEqual(
      scalingCalls.slice(2).map((c) => c.operation),
      ['DeleteScalingPolicy', 'DeregisterScalableTarget'],
    );
    assert.ok(sagemakerCalls.some((c) => c.operation === 'UpdateEndpoint' && c.faked));
  });

  it('scales again on the next update, and refuses to make the instance endpoint serverless', async () => {
    await nextSecond();
    await target.deploy(
      request({
        instanceCount: 2,
        autoscaling: endpointAutoscaling({ minInstances: 2, maxInstances: 4 }),
      }),
      { pollIntervalMs: 50 },
    );
    const { targets } = await registered();
    assert.deepEqual(
      targets.map((t) => [t.MinCapacity, t.MaxCapacity]),
      [[2, 4]],
    );
    const before = sagemakerCalls.length;
    await assert.rejects(
      target.deploy(request({ serverless: { memoryMb: 2048, maxConcurrency: 5 } })),
      (error: unknown) =>
        error instanceof UserError &&
        /cannot turn an instance endpoint into a serverless one/.test(error.message),
    );
    assert.equal(sagemakerCalls.length, before, 'nothing created');
  });

  it('deleting the endpoint deregisters its scalable target and removes its policy', async () => {
    await target.deleteEndpoint(endpoint);
    assert.deepEqual(await registered(), { targets: [], policies: [] });
    assert.ok(!(await target.listEndpoints()).some((e) => e.name === endpoint));
  });

  it('deploys a serverless endpoint: ServerlessConfig in its config, no instances', async () => {
    const name = `serverless-${run}`;
    const result = await target.deploy(
      request({ endpointName: name, serverless: { memoryMb: 3072, maxConcurrency: 10 } }),
      { pollIntervalMs: 50 },
    );
    assert.equal(result.endpoint.status, 'InService');
    const config = await target.clients.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: result.configName }),
    );
    assert.deepEqual(config.ProductionVariants?.[0]?.ServerlessConfig, {
      MemorySizeInMB: 3072,
      MaxConcurrency: 10,
    });
    assert.equal(config.ProductionVariants?.[0]?.InstanceType, undefined);
    const described = await target.describeEndpoint(name);
    assert.deepEqual(described.serverless, { memoryMb: 3072, maxConcurrency: 10 });
    assert.equal(described.autoscaling, undefined);
    await target.deleteEndpoint(name);
  });
});

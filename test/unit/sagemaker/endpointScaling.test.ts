import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  describeCapacity,
  endpointAutoscaling,
  endpointCapacityProblems,
} from '../../../src/core/jobs/endpointCapacity';
import type { DeployRequest } from '../../../src/core/jobs/types';
import { LocalTarget } from '../../../src/core/local/target';
import {
  buildCreateEndpointConfigRequest,
  buildDeleteScalingPolicyRequest,
  buildDeregisterScalableTargetRequest,
  buildPutScalingPolicyRequest,
  buildRegisterScalableTargetRequest,
  SCALING_POLICY_NAME,
  variantResourceId,
} from '../../../src/core/sagemaker';
import { deployJob, deployRequestProblems } from '../../../src/core/sagemaker/deploy';
import { SageMakerTarget } from '../../../src/core/sagemaker/target';
import { assertValidRequest, validateWithAwsCli } from './awsCli';
import { COMPLETED_JOB } from './fixtures';
import { StubClient, awsError, notFound, type Handler } from './stubs';

const JOB = COMPLETED_JOB;
const NOW = (): Date => new Date(Date.UTC(2024, 1, 1, 12, 0, 0));
const CONFIG = 'pets-20240201-120000';
const SCALING = endpointAutoscaling({ minInstances: 1, maxInstances: 4 });
const BASE: DeployRequest = {
  job: JOB.name,
  endpointName: 'pets',
  instanceType: 'ml.m5.large',
  instanceCount: 1,
};
const RESOURCE = 'endpoint/pets/variant/AllTraffic';

/** DescribeEndpoint answers, one per call; the last repeats. */
function endpointStates(...states: Record<string, unknown>[]): Handler {
  let call = 0;
  return () => {
    const state = states[Math.min(call++, states.length - 1)];
    if (state === undefined || state.missing) throw notFound('endpoint');
    return { EndpointName: 'pets', EndpointArn: 'arn:endpoint/pets', ...state };
  };
}

function sagemaker(describe: Handler): StubClient {
  return new StubClient({
    DescribeModel: () => {
      throw notFound('model');
    },
    CreateModel: () => ({}),
    CreateEndpointConfig: () => ({}),
    CreateEndpoint: () => ({}),
    UpdateEndpoint: () => ({}),
    DeleteEndpoint: () => ({}),
    DescribeEndpoint: describe,
    ...{
      DescribeEndpointConfig: () => ({ ProductionVariants: [{ InstanceType: 'ml.m5.large' }] }),
    },
  });
}

/** Application Auto Scaling holding at most one scalable target and its policies, in memory. */
function scalingService(registered?: { min: number; max: number }): StubClient {
  let target = registered;
  let policies: Record<string, unknown>[] = registered
    ? [{ PolicyName: SCALING_POLICY_NAME, ResourceId: RESOURCE }]
    : [];
  return new StubClient({
    DescribeScalableTargets: () => ({
      ScalableTargets: target
        ? [{ ResourceId: RESOURCE, MinCapacity: target.min, MaxCapacity: target.max }]
        : [],
    }),
    DescribeScalingPolicies: () => ({ ScalingPolicies: policies }),
    RegisterScalableTarget: (input) => {
      target = { min: Number(input.MinCapacity), max: Number(input.MaxCapacity) };
      return {};
    },
    PutScalingPolicy: (input) => {
      policies = [{ ...input }];
      return {};
    },
    DeleteScalingPolicy: () => {
      policies = [];
      return {};
    },
    DeregisterScalableTarget: () => {
      target = undefined;
      return {};
    },
  });
}

const inService = (extra: Record<string, unknown> = {}) => ({
  EndpointStatus: 'InService',
  EndpointConfigName: CONFIG,
  ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1 }],
  ...extra,
});
const deploy = (sm: StubClient, scaling: StubClient, request: DeployRequest) =>
  deployJob(
    { sagemaker: sm.asSageMaker(), autoscaling: scaling.asAutoscaling() },
    JOB,
    request,
    { pollIntervalMs: 1 },
    NOW,
  );

describe('endpoint capacity: the combinations refused before any call', () => {
  it('refuses serverless with autoscaling, bad ranges, sizes and concurrency', () => {
    const problems = (request: Partial<DeployRequest>) =>
      deployRequestProblems({ ...BASE, ...request });
    assert.match(
      problems({ autoscaling: SCALING, serverless: { memoryMb: 2048, maxConcurrency: 5 } }).join(),
      /a serverless endpoint has no instances to autoscale.*either --serverless or --min-instances\/--max-instances/,
    );
    assert.deepEqual(problems({ autoscaling: { ...SCALING, minInstances: 3, maxInstances: 2 } }), [
      'the maximum instance count (2) is below the minimum (3)',
    ]);
    assert.match(
      problems({ autoscaling: { ...SCALING, minInstances: 0 } }).join(),
      /minimum instance count must be a whole number of at least 1, got 0 .*use serverless/,
    );
    assert.deepEqual(problems({ autoscaling: SCALING, instanceCount: 5 }), [
      'the initial instance count (5) is outside the autoscaling range 1-4',
    ]);
    assert.match(
      problems({
        autoscaling: { ...SCALING, targetInvocations: 0, scaleInCooldownSeconds: -1 },
      }).join('; '),
      /target invocations .* above 0, got 0; the scale-in cooldown must be a whole number of seconds, 0 or more, got -1/,
    );
    assert.deepEqual(problems({ serverless: { memoryMb: 1500, maxConcurrency: 201 } }), [
      'serverless memory must be one of 1024, 2048, 3072, 4096, 5120, 6144 MB, got 1500',
      'serverless max concurrency must be a whole number from 1 to 200, got 201',
    ]);
    // Serverless ignores the instance type and count, whatever they are.
    assert.deepEqual(
      problems({
        serverless: { memoryMb: 6144, maxConcurrency: 200 },
        instanceType: '',
        instanceCount: 0,
      }),
      [],
    );
    assert.deepEqual(problems({ autoscaling: SCALING }), []);
  });

  it('says that both are SageMaker options on the local target', async () => {
    assert.deepEqual(
      endpointCapacityProblems(
        {
          instanceCount: 1,
          autoscaling: SCALING,
          serverless: { memoryMb: 1024, maxConcurrency: 1 },
        },
        'local',
      ),
      [
        '--min-instances/--max-instances (autoscaling) and --serverless are SageMaker options; a local endpoint is one container on this machine',
      ],
    );
    const local = new LocalTarget({
      workspace: '/nonexistent-tfod-workspace',
      docker: {} as never,
    });
    await assert.rejects(
      local.deploy({ ...BASE, serverless: { memoryMb: 2048, maxConcurrency: 5 } }),
      (error: unknown) =>
        error instanceof UserError &&
        /cannot serve 'pets' locally: --serverless is a SageMaker option/.test(error.message) &&
        /--target sagemaker/.test(error.fix ?? ''),
    );
  });

  it('describes the capacity in a line', () => {
    assert.equal(
      describeCapacity({ autoscaling: SCALING, instanceCount: 2 }),
      'autoscaling 1-4 instances, 2 now, target 70 invocations/instance/minute',
    );
    assert.equal(
      describeCapacity({ serverless: { memoryMb: 2048, maxConcurrency: 5 } }),
      'serverless (2048 MB, max concurrency 5)',
    );
    assert.equal(describeCapacity({ instanceCount: 2 }), undefined);
  });
});

describe('endpoint scaling requests against the API model (AWS CLI, offline)', () => {
  it('registers, puts the policy, deletes and deregisters the AllTraffic variant', () => {
    const scaling = endpointAutoscaling(
      { minInstances: 2, maxInstances: 8 },
      { targetInvocations: 120, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 30 },
    );
    assert.equal(variantResourceId('pets'), RESOURCE);
    const register = buildRegisterScalableTargetRequest('pets', scaling);
    assert.deepEqual(register, {
      ServiceNamespace: 'sagemaker',
      ResourceId: RESOURCE,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 8,
    });
    const policy = buildPutScalingPolicyRequest('pets', scaling);
    assert.deepEqual(policy.TargetTrackingScalingPolicyConfiguration, {
      TargetValue: 120,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
      },
      ScaleInCooldown: 600,
      ScaleOutCooldown: 30,
    });
    assertValidRequest('application-autoscaling', 'RegisterScalableTarget', register);
    assertValidRequest('application-autoscaling', 'PutScalingPolicy', policy);
    assertValidRequest(
      'application-autoscaling',
      'DeleteScalingPolicy',
      buildDeleteScalingPolicyRequest('pets', SCALING_POLICY_NAME),
    );
    assertValidRequest(
      'application-autoscaling',
      'DeregisterScalableTarget',
      buildDeregisterScalableTargetRequest('pets'),
    );
    // The check can fail: a policy without its name is refused by the model.
    const { PolicyName: _, ...nameless } = policy;
    assert.equal(
      validateWithAwsCli('application-autoscaling', 'PutScalingPolicy', nameless).valid,
      false,
    );
  });

  it('puts a serverless variant without instance type or count', () => {
    const request = buildCreateEndpointConfigRequest({
      configName: CONFIG,
      modelName: JOB.name,
      instanceType: 'ml.m5.large',
      instanceCount: 1,
      serverless: { memoryMb: 3072, maxConcurrency: 20 },
    });
    assert.deepEqual(request.ProductionVariants, [
      {
        VariantName: 'AllTraffic',
        ModelName: JOB.name,
        ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 20 },
      },
    ]);
    assertValidRequest('sagemaker', 'CreateEndpointConfig', request);
  });
});

describe('deploy with autoscaling or serverless (stubbed SDK)', () => {
  it('registers the variant and its policy once InService, and reads them back', async () => {
    const sm = sagemaker(endpointStates({ missing: true }, inService()));
    const scaling = scalingService();
    const result = await deploy(sm, scaling, { ...BASE, autoscaling: SCALING });
    assert.deepEqual(scaling.operations(), [
      'RegisterScalableTarget',
      'PutScalingPolicy',
      'DescribeScalableTargets',
      'DescribeScalingPolicies',
    ]);
    assert.deepEqual(result.endpoint.autoscaling, {
      minInstances: 1,
      maxInstances: 4,
      targetInvocations: 70,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    });
  });

  it('going back to a fixed count deregisters before UpdateEndpoint and registers nothing', async () => {
    const sm = sagemaker(
      endpointStates(
        inService({
          EndpointConfigName: 'pets-old',
          ProductionVariants: [{ CurrentInstanceCount: 3 }],
        }),
        inService(),
      ),
    );
    const scaling = scalingService({ min: 1, max: 4 });
    const order: string[] = [];
    for (const stub of [sm, scaling]) {
      const send = stub.send.bind(stub);
      stub.send = (command, options) => {
        order.push(command.constructor.name.replace(/Command$/, ''));
        return send(command, options);
      };
    }
    const result = await deploy(sm, scaling, { ...BASE, instanceCount: 2 });
    assert.ok(order.indexOf('DeregisterScalableTarget') < order.indexOf('UpdateEndpoint'));
    assert.ok(order.indexOf('DeleteScalingPolicy') < order.indexOf('DeregisterScalableTarget'));
    assert.ok(!scaling.operations().includes('RegisterScalableTarget'));
    assert.equal(result.endpoint.autoscaling, undefined);
    const config = sm.calls.find((c) => c.operation === 'CreateEndpointConfig');
    assert.equal(
      (config?.input.ProductionVariants as { InitialInstanceCount: number }[])[0]
        ?.InitialInstanceCount,
      2,
    );
  });

  it('an autoscaled update keeps the instances running now (within the range) and scales again', async () => {
    const sm = sagemaker(
      endpointStates(
        inService({
          EndpointConfigName: 'pets-old',
          ProductionVariants: [{ CurrentInstanceCount: 6 }],
        }),
        inService(),
      ),
    );
    const scaling = scalingService({ min: 2, max: 8 });
    await deploy(sm, scaling, { ...BASE, autoscaling: SCALING });
    const config = sm.calls.find((c) => c.operation === 'CreateEndpointConfig');
    assert.equal(
      (config?.input.ProductionVariants as { InitialInstanceCount: number }[])[0]
        ?.InitialInstanceCount,
      4,
    );
    assert.deepEqual(
      scaling.operations().filter((op) => !op.startsWith('Describe')),
      [
        'DeleteScalingPolicy',
        'DeregisterScalableTarget',
        'RegisterScalableTarget',
        'PutScalingPolicy',
      ],
    );
  });

  it('refuses to turn an instance endpoint serverless, before creating anything', async () => {
    const sm = sagemaker(
      endpointStates(inService({ ProductionVariants: [{ CurrentInstanceCount: 1 }] })),
    );
    await assert.rejects(
      deploy(sm, scalingService(), { ...BASE, serverless: { memoryMb: 2048, maxConcurrency: 5 } }),
      (error: unknown) =>
        error instanceof UserError &&
        /runs on instances; SageMaker cannot turn an instance endpoint into a serverless one in place/.test(
          error.message,
        ) &&
        /another name \(--endpoint\)/.test(error.fix ?? ''),
    );
    assert.deepEqual(sm.operations(), ['DescribeEndpoint']);
  });

  it('creates a serverless endpoint and says so in the result', async () => {
    const serverless = { MemorySizeInMB: 2048, MaxConcurrency: 5 };
    const sm = sagemaker(
      endpointStates(
        { missing: true },
        inService({
          ProductionVariants: [{ VariantName: 'AllTraffic', CurrentServerlessConfig: serverless }],
        }),
      ),
    );
    const scaling = scalingService();
    const result = await deploy(sm, scaling, {
      ...BASE,
      serverless: { memoryMb: 2048, maxConcurrency: 5 },
    });
    assert.deepEqual(result.endpoint.serverless, { memoryMb: 2048, maxConcurrency: 5 });
    assert.deepEqual(scaling.calls, []);
  });

  it('an endpoint InService whose scaling is refused says it runs at a fixed count', async () => {
    const sm = sagemaker(endpointStates({ missing: true }, inService()));
    const scaling = new StubClient({
      RegisterScalableTarget: () => {
        throw awsError('AccessDeniedException', 'not authorized to perform RegisterScalableTarget');
      },
    });
    await assert.rejects(
      deploy(sm, scaling, { ...BASE, autoscaling: SCALING }),
      (error: unknown) =>
        error instanceof UserError &&
        /^endpoint 'pets' is InService, but its autoscaling could not be set: AWS denied access/.test(
          error.message,
        ) &&
        /fixed count/.test(error.fix ?? '') &&
        /application-autoscaling/.test(error.fix ?? ''),
    );
  });

  it('a fixed-count update goes on when the scaling cannot be read (no rights on the service)', async () => {
    const sm = sagemaker(
      endpointStates(inService({ EndpointConfigName: 'pets-old' }), inService()),
    );
    const scaling = new StubClient({
      DescribeScalableTargets: () => {
        throw awsError('AccessDeniedException', 'denied');
      },
    });
    const result = await deploy(sm, scaling, BASE);
    assert.equal(result.updated, true);
  });
});

describe('the SageMaker target: describe and delete with scaling', () => {
  const targetWith = (sm: StubClient, scaling: StubClient) =>
    new SageMakerTarget({
      clients: {
        sagemaker: sm.asSageMaker(),
        logs: new StubClient({}).asLogs(),
        runtime: new StubClient({}) as never,
        autoscaling: scaling.asAutoscaling(),
      },
    });

  it('describes the range, the current count and the target; or why the scaling is unknown', async () => {
    const sm = sagemaker(
      endpointStates(inService({ ProductionVariants: [{ CurrentInstanceCount: 2 }] })),
    );
    const withPolicy = new StubClient({
      DescribeScalableTargets: () => ({
        ScalableTargets: [{ ResourceId: RESOURCE, MinCapacity: 1, MaxCapacity: 4 }],
      }),
      DescribeScalingPolicies: () => ({
        ScalingPolicies: [
          {
            PolicyName: SCALING_POLICY_NAME,
            ResourceId: RESOURCE,
            TargetTrackingScalingPolicyConfiguration: {
              TargetValue: 70,
              ScaleInCooldown: 300,
              ScaleOutCooldown: 60,
            },
          },
        ],
      }),
    });
    const described = await targetWith(sm, withPolicy).describeEndpoint('pets');
    assert.equal(
      describeCapacity(described),
      'autoscaling 1-4 instances, 2 now, target 70 invocations/instance/minute',
    );
    const denied = new StubClient({
      DescribeScalableTargets: () => {
        throw awsError('AccessDeniedException', 'denied');
      },
    });
    const unknown = await targetWith(sm, denied).describeEndpoint('pets');
    assert.match(
      unknown.autoscalingUnknown ?? '',
      /AWS denied access to the autoscaling of endpoint 'pets'/,
    );
    assert.equal(unknown.instanceType, 'ml.m5.large');
  });

  it('deleting an endpoint removes its policy and scalable target first', async () => {
    const sm = sagemaker(endpointStates(inService()));
    const scaling = scalingService({ min: 1, max: 4 });
    await targetWith(sm, scaling).deleteEndpoint('pets');
    assert.deepEqual(
      scaling.operations().filter((op) => !op.startsWith('Describe')),
      ['DeleteScalingPolicy', 'DeregisterScalableTarget'],
    );
    assert.deepEqual(sm.operations(), ['DeleteEndpoint']);
    const none = scalingService();
    await targetWith(sagemaker(endpointStates(inService())), none).deleteEndpoint('pets');
    assert.deepEqual(none.operations(), ['DescribeScalableTargets']);
  });
});

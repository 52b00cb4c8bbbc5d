import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClient,
  type DeleteScalingPolicyRequest,
  type DeregisterScalableTargetRequest,
  type PutScalingPolicyRequest,
  type RegisterScalableTargetRequest,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import type { AwsSessionOptions } from '../aws/session';
import { UserError } from '../errors';
import type { EndpointAutoscaling, EndpointScalingState } from '../jobs/types';
import { explainedAwsFailure } from './errors';
import { VARIANT_NAME } from './requests';

/**
 * Autoscaling of an endpoint's one variant with Application Auto Scaling: a scalable target on
 * its desired instance count and one target-tracking policy on invocations per instance. The
 * request builders are pure so tests check them against the API model (the AWS CLI) offline.
 */
export const SCALING_NAMESPACE = 'sagemaker';
export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';
export const INVOCATIONS_METRIC = 'SageMakerVariantInvocationsPerInstance';
/** One policy per endpoint, by a fixed name, so deploying again replaces it. */
export const SCALING_POLICY_NAME = 'tfod-invocations-per-instance';

/** `endpoint/<name>/variant/AllTraffic`: the variant as Application Auto Scaling names it. */
export function variantResourceId(endpointName: string): string {
  return `endpoint/${endpointName}/variant/${VARIANT_NAME}`;
}

const targetOf = (endpointName: string) =>
  ({
    ServiceNamespace: SCALING_NAMESPACE,
    ResourceId: variantResourceId(endpointName),
    ScalableDimension: SCALABLE_DIMENSION,
  }) as const;

/**
 * No RoleARN: Application Auto Scaling uses (and creates on first use, given
 * iam:CreateServiceLinkedRole) its service-linked role for SageMaker endpoints.
 */
export function buildRegisterScalableTargetRequest(
  endpointName: string,
  scaling: EndpointAutoscaling,
): RegisterScalableTargetRequest {
  return {
    ...targetOf(endpointName),
    MinCapacity: scaling.minInstances,
    MaxCapacity: scaling.maxInstances,
  };
}

export function buildPutScalingPolicyRequest(
  endpointName: string,
  scaling: EndpointAutoscaling,
): PutScalingPolicyRequest {
  return {
    PolicyName: SCALING_POLICY_NAME,
    ...targetOf(endpointName),
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: scaling.targetInvocations,
      PredefinedMetricSpecification: { PredefinedMetricType: INVOCATIONS_METRIC },
      ScaleInCooldown: scaling.scaleInCooldownSeconds,
      ScaleOutCooldown: scaling.scaleOutCooldownSeconds,
    },
  };
}

export function buildDeleteScalingPolicyRequest(
  endpointName: string,
  policyName: string,
): DeleteScalingPolicyRequest {
  return { PolicyName: policyName, ...targetOf(endpointName) };
}

export function buildDeregisterScalableTargetRequest(
  endpointName: string,
): DeregisterScalableTargetRequest {
  return targetOf(endpointName);
}

/** Application Auto Scaling's failures in the user's terms; credentials are explainAwsError's. */
export function explainScalingError(
  error: unknown,
  endpointName: string,
  session: AwsSessionOptions = {},
): unknown {
  const general = explainedAwsFailure(error, session);
  if (general) return general;
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? String(error);
  if (/AccessDenied/.test(name))
    return new UserError(
      `AWS denied access to the autoscaling of endpoint '${endpointName}' (${message})`,
      'Use credentials whose IAM policy allows application-autoscaling:* on SageMaker endpoints, cloudwatch:PutMetricAlarm/DescribeAlarms/DeleteAlarms and iam:CreateServiceLinkedRole (the first time), or deploy with a fixed instance count',
      { cause: error },
    );
  if (/Validation|LimitExceeded|ObjectNotFound|FailedResourceAccess/.test(name))
    return new UserError(
      `Application Auto Scaling refused the autoscaling of endpoint '${endpointName}': ${message}`,
      undefined,
      { cause: error },
    );
  return error;
}

async function explained<T>(
  endpointName: string,
  session: AwsSessionOptions | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw explainScalingError(error, endpointName, session);
  }
}

/** The variant's scalable target, or undefined when it is not registered. */
async function describeTarget(
  client: ApplicationAutoScalingClient,
  endpointName: string,
  signal: AbortSignal | undefined,
  session: AwsSessionOptions | undefined,
): Promise<ScalableTarget | undefined> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = targetOf(endpointName);
  const targets = await explained(endpointName, session, () =>
    client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace,
        ResourceIds: [ResourceId],
        ScalableDimension,
      }),
      { abortSignal: signal },
    ),
  );
  return targets.ScalableTargets?.find((t) => t.ResourceId === ResourceId);
}

/** The endpoint's scalable target and our policy's settings, or undefined when it has none. */
export async function readEndpointScaling(
  client: ApplicationAutoScalingClient,
  endpointName: string,
  signal?: AbortSignal,
  session?: AwsSessionOptions,
): Promise<EndpointScalingState | undefined> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = targetOf(endpointName);
  const target = await describeTarget(client, endpointName, signal, session);
  if (target?.MinCapacity === undefined || target.MaxCapacity === undefined) return undefined;
  const policies = await explained(endpointName, session, () =>
    client.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace,
        ResourceId,
        ScalableDimension,
        PolicyNames: [SCALING_POLICY_NAME],
      }),
      { abortSignal: signal },
    ),
  );
  const config = policies.ScalingPolicies?.find(
    (p) => p.PolicyName === SCALING_POLICY_NAME && p.ResourceId === ResourceId,
  )?.TargetTrackingScalingPolicyConfiguration;
  return {
    minInstances: target.MinCapacity,
    maxInstances: target.MaxCapacity,
    ...(config?.TargetValue !== undefined ? { targetInvocations: config.TargetValue } : {}),
    ...(config?.ScaleInCooldown !== undefined
      ? { scaleInCooldownSeconds: config.ScaleInCooldown }
      : {}),
    ...(config?.ScaleOutCooldown !== undefined
      ? { scaleOutCooldownSeconds: config.ScaleOutCooldown }
      : {}),
  };
}

/** Registers (or re-registers) the variant and puts the policy; both replace what was there. */
export async function applyEndpointScaling(
  client: ApplicationAutoScalingClient,
  endpointName: string,
  scaling: EndpointAutoscaling,
  signal?: AbortSignal,
  session?: AwsSessionOptions,
): Promise<void> {
  await explained(endpointName, session, () =>
    client.send(
      new RegisterScalableTargetCommand(buildRegisterScalableTargetRequest(endpointName, scaling)),
      { abortSignal: signal },
    ),
  );
  await explained(endpointName, session, () =>
    client.send(new PutScalingPolicyCommand(buildPutScalingPolicyRequest(endpointName, scaling)), {
      abortSignal: signal,
    }),
  );
}

/**
 * Deletes every scaling policy of the variant, then deregisters it, as the SageMaker guide asks
 * before an update that changes the variant; returns whether there was a scalable target.
 */
export async function removeEndpointScaling(
  client: ApplicationAutoScalingClient,
  endpointName: string,
  signal?: AbortSignal,
  session?: AwsSessionOptions,
): Promise<boolean> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = targetOf(endpointName);
  if (!(await describeTarget(client, endpointName, signal, session))) return false;
  const policies = await explained(endpointName, session, () =>
    client.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace, ResourceId, ScalableDimension }),
      { abortSignal: signal },
    ),
  );
  for (const policy of policies.ScalingPolicies ?? []) {
    if (policy.ResourceId !== ResourceId || !policy.PolicyName) continue;
    const name = policy.PolicyName;
    await explained(endpointName, session, () =>
      client.send(
        new DeleteScalingPolicyCommand(buildDeleteScalingPolicyRequest(endpointName, name)),
        {
          abortSignal: signal,
        },
      ),
    );
  }
  await explained(endpointName, session, () =>
    client.send(
      new DeregisterScalableTargetCommand(buildDeregisterScalableTargetRequest(endpointName)),
      { abortSignal: signal },
    ),
  );
  return true;
}

import type { TargetKind } from '../target';
import type { DeployRequest, EndpointAutoscaling, ServerlessSettings } from './types';

/**
 * How an endpoint runs: a fixed count of instances, instances scaled on traffic, or serverless.
 * The defaults and limits are SageMaker's, checked here so the CLI, the palette and the target
 * refuse the same things with the same words before anything is created.
 */

/**
 * Invocations per instance per minute that the target-tracking policy holds: the value the
 * SageMaker developer guide uses in its examples. A detector on a CPU instance answers an image in
 * a fraction of a second, so 70 a minute leaves headroom before latency grows.
 */
export const DEFAULT_TARGET_INVOCATIONS = 70;
/** Scale out quickly when traffic grows; scale in only after 5 quiet minutes (no flapping). */
export const DEFAULT_SCALE_OUT_COOLDOWN_SECONDS = 60;
export const DEFAULT_SCALE_IN_COOLDOWN_SECONDS = 300;

/** ServerlessConfig.MemorySizeInMB: 1 GB steps. */
export const SERVERLESS_MEMORY_SIZES_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;
export const SERVERLESS_MAX_CONCURRENCY_LIMIT = 200;
/** The SageMaker Python SDK's defaults for a serverless endpoint. */
export const DEFAULT_SERVERLESS_MEMORY_MB = 2048;
export const DEFAULT_SERVERLESS_MAX_CONCURRENCY = 5;

/** An autoscaling setting with the defaults filled in. */
export function endpointAutoscaling(
  range: { readonly minInstances: number; readonly maxInstances: number },
  options: Partial<Omit<EndpointAutoscaling, 'minInstances' | 'maxInstances'>> = {},
): EndpointAutoscaling {
  return {
    minInstances: range.minInstances,
    maxInstances: range.maxInstances,
    targetInvocations: options.targetInvocations ?? DEFAULT_TARGET_INVOCATIONS,
    scaleInCooldownSeconds: options.scaleInCooldownSeconds ?? DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
    scaleOutCooldownSeconds: options.scaleOutCooldownSeconds ?? DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
  };
}

const whole = (value: number): boolean => Number.isInteger(value);

export function autoscalingProblems(scaling: EndpointAutoscaling): string[] {
  const problems: string[] = [];
  const { minInstances: min, maxInstances: max } = scaling;
  if (!whole(min) || min < 1)
    problems.push(
      `the minimum instance count must be a whole number of at least 1, got ${min} (an instance endpoint cannot scale to zero; use serverless for that)`,
    );
  if (!whole(max) || max < 1)
    problems.push(`the maximum instance count must be a whole number of at least 1, got ${max}`);
  else if (whole(min) && max < min)
    problems.push(`the maximum instance count (${max}) is below the minimum (${min})`);
  if (!Number.isFinite(scaling.targetInvocations) || scaling.targetInvocations <= 0)
    problems.push(
      `the target invocations per instance per minute must be above 0, got ${scaling.targetInvocations}`,
    );
  for (const [what, value] of [
    ['scale-in cooldown', scaling.scaleInCooldownSeconds],
    ['scale-out cooldown', scaling.scaleOutCooldownSeconds],
  ] as const)
    if (!whole(value) || value < 0)
      problems.push(`the ${what} must be a whole number of seconds, 0 or more, got ${value}`);
  return problems;
}

export function serverlessProblems(serverless: ServerlessSettings): string[] {
  const problems: string[] = [];
  if (!(SERVERLESS_MEMORY_SIZES_MB as readonly number[]).includes(serverless.memoryMb))
    problems.push(
      `serverless memory must be one of ${SERVERLESS_MEMORY_SIZES_MB.join(', ')} MB, got ${serverless.memoryMb}`,
    );
  const concurrency = serverless.maxConcurrency;
  if (!whole(concurrency) || concurrency < 1 || concurrency > SERVERLESS_MAX_CONCURRENCY_LIMIT)
    problems.push(
      `serverless max concurrency must be a whole number from 1 to ${SERVERLESS_MAX_CONCURRENCY_LIMIT}, got ${concurrency}`,
    );
  return problems;
}

/**
 * What is wrong with the request's capacity on this target: the combinations SageMaker refuses,
 * and SageMaker-only options on the local target.
 */
export function endpointCapacityProblems(
  request: Pick<DeployRequest, 'instanceCount' | 'autoscaling' | 'serverless'>,
  target: TargetKind,
): string[] {
  const { autoscaling, serverless } = request;
  if (target !== 'sagemaker') {
    const given = [
      ...(autoscaling ? ['--min-instances/--max-instances (autoscaling)'] : []),
      ...(serverless ? ['--serverless'] : []),
    ];
    return given.length
      ? [
          `${given.join(' and ')} ${given.length > 1 ? 'are SageMaker options' : 'is a SageMaker option'}; a local endpoint is one container on this machine`,
        ]
      : [];
  }
  if (autoscaling && serverless)
    return [
      'a serverless endpoint has no instances to autoscale: SageMaker scales it by itself up to its max concurrency; choose either --serverless or --min-instances/--max-instances',
    ];
  if (serverless) return serverlessProblems(serverless);
  if (!autoscaling) return [];
  const problems = autoscalingProblems(autoscaling);
  if (
    !problems.length &&
    (request.instanceCount < autoscaling.minInstances ||
      request.instanceCount > autoscaling.maxInstances)
  )
    problems.push(
      `the initial instance count (${request.instanceCount}) is outside the autoscaling range ${autoscaling.minInstances}-${autoscaling.maxInstances}`,
    );
  return problems;
}

/** "1-4 instances, 70 invocations/instance/minute" or "serverless (2048 MB, up to 5 at once)". */
export function describeCapacity(endpoint: {
  readonly autoscaling?: Partial<EndpointAutoscaling>;
  readonly serverless?: ServerlessSettings;
  readonly instanceCount?: number;
}): string | undefined {
  if (endpoint.serverless)
    return `serverless (${endpoint.serverless.memoryMb} MB, max concurrency ${endpoint.serverless.maxConcurrency})`;
  const scaling = endpoint.autoscaling;
  if (!scaling || scaling.minInstances === undefined || scaling.maxInstances === undefined)
    return undefined;
  const current = endpoint.instanceCount !== undefined ? `, ${endpoint.instanceCount} now` : '';
  const target =
    scaling.targetInvocations !== undefined
      ? `, target ${scaling.targetInvocations} invocations/instance/minute`
      : '';
  return `autoscaling ${scaling.minInstances}-${scaling.maxInstances} instances${current}${target}`;
}

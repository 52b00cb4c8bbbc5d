import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import { describeCapacity, endpointCapacityProblems } from '../jobs/endpointCapacity';
import { delay, throwIfAborted } from '../jobs/delay';
import { INSTANCE_TYPE_PATTERN } from '../jobs/instanceTypes';
import { resourceNameProblem, timestamp, withSuffix } from '../jobs/names';
import { isEndpointActive } from '../jobs/status';
import type {
  DeployOptions,
  DeployProgress,
  DeployRequest,
  DeployResult,
  EndpointAutoscaling,
  EndpointSummary,
  TrainingJobDetails,
} from '../jobs/types';
import { applyEndpointScaling, readEndpointScaling, removeEndpointScaling } from './autoscaling';
import type { SageMakerClients } from './clients';
import { toEndpointDetails } from './convert';
import { explainSageMakerError, isNotFound } from './errors';
import { ensureJobModel } from './model';
import {
  buildCreateEndpointConfigRequest,
  buildCreateEndpointRequest,
  buildUpdateEndpointRequest,
} from './requests';

const DEFAULT_POLL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

/** Why the request cannot be deployed, before any call is made. */
export function deployRequestProblems(request: DeployRequest): string[] {
  const problems: string[] = [];
  const name = resourceNameProblem(request.endpointName, 'endpoint name');
  if (name) problems.push(name);
  if (!request.serverless) {
    if (!INSTANCE_TYPE_PATTERN.test(request.instanceType))
      problems.push(
        `instance type '${request.instanceType}' is not a SageMaker instance type (e.g. ml.m5.large)`,
      );
    if (!Number.isInteger(request.instanceCount) || request.instanceCount < 1)
      problems.push(
        `instance count must be a whole number of at least 1, got ${request.instanceCount}`,
      );
  }
  problems.push(...endpointCapacityProblems(request, 'sagemaker'));
  return problems;
}

/** The clients a deploy talks through. */
export type DeployClients = Pick<SageMakerClients, 'sagemaker' | 'autoscaling'>;

function isAccessDenied(error: unknown): boolean {
  const cause = error instanceof UserError ? error.cause : error;
  return /AccessDenied/.test((cause as { name?: string } | undefined)?.name ?? '');
}

/** Whether the running endpoint is serverless, by its variant; undefined when it does not say. */
function runsServerless(endpoint: DescribeEndpointCommandOutput): boolean | undefined {
  const variant = endpoint.ProductionVariants?.[0];
  if (!variant) return undefined;
  return variant.CurrentServerlessConfig !== undefined;
}

/**
 * CreateModel from the job's model.tar.gz and image, CreateEndpointConfig, then CreateEndpoint or,
 * when the endpoint exists, UpdateEndpoint (SageMaker swaps instances without downtime); then
 * waits until it is InService, or fails with SageMaker's FailureReason. An endpoint that
 * autoscales loses its scaling before an update (SageMaker refuses most updates of a scaled
 * variant) and gets it back afterwards only when the request asks for autoscaling again.
 */
export async function deployJob(
  clients: DeployClients,
  job: TrainingJobDetails,
  request: DeployRequest,
  options: DeployOptions = {},
  now: () => Date = () => new Date(),
): Promise<DeployResult> {
  const { signal } = options;
  const report = (progress: DeployProgress): void => options.onProgress?.(progress);
  const problems = deployRequestProblems(request);
  if (problems.length)
    throw new UserError(
      `cannot deploy '${job.name}': ${problems.join('; ')}`,
      'Correct the deploy settings and try again',
    );
  if (job.status !== 'Completed')
    throw new UserError(
      `training job '${job.name}' is ${job.status}; only a Completed job has a model to deploy`,
      job.status === 'InProgress'
        ? 'Wait until it completes, or deploy an earlier job'
        : 'Deploy a job that completed',
    );
  if (!job.modelArtifacts)
    throw new UserError(`training job '${job.name}' has no model artifacts (S3ModelArtifacts)`);
  if (!job.roleArn) throw new UserError(`training job '${job.name}' has no execution role`);
  const image = request.image ?? job.image;
  if (!image)
    throw new UserError(
      `training job '${job.name}' does not name its image`,
      'Give the serving image',
    );

  const client = clients.sagemaker;
  const stamp = timestamp(now());
  const endpointName = request.endpointName;
  const call = async <T>(
    subject: Parameters<typeof explainSageMakerError>[1],
    run: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explainSageMakerError(error, subject);
    }
  };

  const describe = (): Promise<DescribeEndpointCommandOutput> =>
    call({ kind: 'endpoint', name: endpointName }, () =>
      client.send(new DescribeEndpointCommand({ EndpointName: endpointName }), {
        abortSignal: signal,
      }),
    );
  // Before anything is created: a busy endpoint, or one that cannot become what is asked.
  const existing = await describe().catch((error: unknown) => {
    if (error instanceof UserError && isNotFound(error.cause)) return undefined;
    throw error;
  });
  const updated = existing !== undefined;
  let instanceCount = request.instanceCount;
  let removedScaling = false;
  if (existing) {
    const status = existing.EndpointStatus ?? 'OutOfService';
    if (status !== 'InService')
      throw new UserError(
        `endpoint '${endpointName}' is ${status}; it can only be updated while InService`,
        status === 'Failed'
          ? 'Delete the failed endpoint and deploy again'
          : 'Wait until it is InService and deploy again',
      );
    if (request.serverless && runsServerless(existing) === false)
      throw new UserError(
        `endpoint '${endpointName}' runs on instances; SageMaker cannot turn an instance endpoint into a serverless one in place`,
        `Deploy the serverless endpoint under another name (--endpoint), or delete '${endpointName}' first`,
      );
    // An update of an autoscaled endpoint starts with the instances it runs now (within the new
    // range), so replacing the model does not drop capacity that traffic had asked for.
    const running = existing.ProductionVariants?.[0]?.CurrentInstanceCount;
    if (request.autoscaling && running !== undefined)
      instanceCount = Math.min(request.autoscaling.maxInstances, Math.max(instanceCount, running));
  }

  // One model per job and image; a second deploy of the same job reuses it.
  report({ phase: 'model', message: `Creating model for ${job.name}` });
  const modelName = await ensureJobModel(
    client,
    {
      jobName: job.name,
      image,
      modelDataUrl: job.modelArtifacts,
      roleArn: job.roleArn,
      stamp,
      ...(request.environment ? { environment: request.environment } : {}),
      ...(request.tags ? { tags: request.tags } : {}),
    },
    signal,
  );

  // A new config for every deploy: UpdateEndpoint needs a config other than the current one.
  const configName = withSuffix(endpointName, stamp);
  report({ phase: 'config', message: `Creating endpoint configuration ${configName}` });
  const configInput = buildCreateEndpointConfigRequest({
    configName,
    modelName,
    instanceType: request.instanceType,
    instanceCount,
    ...(request.serverless ? { serverless: request.serverless } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
  });
  await call({ kind: 'endpoint configuration', name: configName }, () =>
    client.send(new CreateEndpointConfigCommand(configInput), { abortSignal: signal }),
  );

  if (existing) {
    // SageMaker refuses to update a variant that autoscales unless only the model changes; the
    // config is new on every deploy, so the scaling goes first and comes back after the wait.
    removedScaling = await removeEndpointScaling(clients.autoscaling, endpointName, signal).catch(
      (error: unknown) => {
        // Without rights on Application Auto Scaling a fixed-count update still works as before.
        if (request.autoscaling || !isAccessDenied(error)) throw error;
        report({
          phase: 'scaling',
          message: `Could not read the autoscaling of ${endpointName} (${(error as Error).message}); updating anyway`,
        });
        return false;
      },
    );
    if (removedScaling)
      report({
        phase: 'scaling',
        message: `Removed the autoscaling of ${endpointName} for the update${request.autoscaling ? '; it is set again once InService' : ''}`,
      });
    report({ phase: 'update', message: `Updating endpoint ${endpointName} in place` });
    await call({ kind: 'endpoint', name: endpointName }, () =>
      client.send(
        new UpdateEndpointCommand(buildUpdateEndpointRequest({ endpointName, configName })),
        { abortSignal: signal },
      ),
    );
  } else {
    report({ phase: 'create', message: `Creating endpoint ${endpointName}` });
    const input = buildCreateEndpointRequest({
      endpointName,
      configName,
      ...(request.tags ? { tags: request.tags } : {}),
    });
    await call({ kind: 'endpoint', name: endpointName }, () =>
      client.send(new CreateEndpointCommand(input), { abortSignal: signal }),
    );
  }

  const interval = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  // After an update, the endpoint leaves InService (Updating) before it settles; a rollback
  // returns it to InService on the old config with a FailureReason.
  let leftInService = !updated;
  for (;;) {
    throwIfAborted(signal);
    const state = await describe();
    const status = toEndpointDetails(state).status;
    const elapsed = Date.now() - started;
    report({
      phase: 'wait',
      message: `Endpoint ${endpointName} is ${status}`,
      status,
      elapsedMs: elapsed,
    });
    const onNewConfig = state.EndpointConfigName === configName;
    if (status !== 'InService') leftInService = true;
    if (status === 'InService' && onNewConfig) {
      const endpoint = toEndpointDetails(state);
      const result = { endpoint, modelName, configName, updated };
      if (!request.autoscaling) return result;
      return {
        ...result,
        endpoint: await scale(clients, endpoint, request.autoscaling, report, signal),
      };
    }
    if (
      status === 'Failed' ||
      status === 'UpdateRollbackFailed' ||
      (status === 'InService' && leftInService && state.FailureReason)
    ) {
      throw new UserError(
        `endpoint '${endpointName}' ${updated ? 'could not be updated' : 'failed'}: ${state.FailureReason ?? status}`,
        `See the endpoint's logs in CloudWatch (/aws/sagemaker/Endpoints/${endpointName}); ${updated ? `it still serves the previous model${removedScaling ? ', at a fixed count: its autoscaling was removed for the update, deploy again to set it' : ''}` : 'delete it and deploy again once fixed'}`,
      );
    }
    if (elapsed >= timeout)
      throw new UserError(
        `endpoint '${endpointName}' is still ${status} after ${Math.round(elapsed / 60000)} minutes`,
        'SageMaker keeps working on it; watch its status in the jobs view',
      );
    if (!isEndpointActive(status) && !(status === 'InService' && !onNewConfig))
      throw new UserError(`endpoint '${endpointName}' stopped at status ${status}`);
    await delay(Math.min(interval, Math.max(0, timeout - elapsed)), signal);
  }
}

/** Registers the InService endpoint's variant and its policy; says so in the result. */
async function scale(
  clients: DeployClients,
  endpoint: EndpointSummary,
  autoscaling: EndpointAutoscaling,
  report: (progress: DeployProgress) => void,
  signal: AbortSignal | undefined,
): Promise<EndpointSummary> {
  const scaled = { ...endpoint, autoscaling };
  report({ phase: 'scaling', message: `Setting ${endpoint.name} to ${describeCapacity(scaled)}` });
  try {
    await applyEndpointScaling(clients.autoscaling, endpoint.name, autoscaling, signal);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `endpoint '${endpoint.name}' is InService, but its autoscaling could not be set: ${error.message}`,
      `It runs ${endpoint.instanceCount ?? 'its'} instance(s) at a fixed count until then. ${error.fix ?? 'Deploy again to set it'}`,
      { cause: error },
    );
  }
  // Read back: what Application Auto Scaling holds is what the user is told.
  const state = await readEndpointScaling(clients.autoscaling, endpoint.name, signal).catch(
    () => undefined,
  );
  return { ...endpoint, autoscaling: state ?? autoscaling };
}

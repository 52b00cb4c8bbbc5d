import * as vscode from 'vscode';
import {
  describeCapacity,
  formatDuration,
  resourceNameProblem,
  withSuffix,
} from '../../../core/jobs';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { recall, remember } from '../memory';
import { jobFromArgument } from '../pick';
import { askCapacity } from './deployCapacity';
import { askText, type Step } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

const step = (n: number): Step => ({ title: 'Deploy Model to Endpoint', step: n, total: 4 });

/**
 * tfod.endpoint.deploy: serves a completed job's model on an endpoint (created, or updated in
 * place when the name exists), with progress until it is InService or has Failed.
 */
export async function deployEndpoint(ctx: TfodContext, arg?: unknown): Promise<string | undefined> {
  const job = await jobFromArgument(ctx, arg, 'Object Detection: Deploy Model to Endpoint', [
    'Completed',
  ]);
  if (!job) return undefined;
  const existing = await job.target.listEndpoints().catch(() => []);
  const endpointName = await askText(step(1), {
    prompt: `Endpoint name (an existing endpoint is updated in place: ${
      existing
        .map((e) => e.name)
        .slice(0, 5)
        .join(', ') || 'none yet'
    })`,
    value: withSuffix(job.name, 'endpoint'),
    validate: (value) => resourceNameProblem(value, 'endpoint name'),
  });
  const last = recall(ctx, 'endpoint.last');
  const capacity = await askCapacity(step(2), step(3), step(4), last);
  await remember(ctx, 'endpoint.last', capacity.remembered);
  const { instanceType, instanceCount, autoscaling, serverless } = capacity;
  const verb = existing.some((e) => e.name === endpointName) ? 'Updating' : 'Deploying';
  const result = await withCancellableProgress(
    `${verb} endpoint ${endpointName}`,
    (progress, signal) => {
      // Cancelling stops the waiting, not SageMaker: the endpoint goes on being created.
      targets(ctx).jobsChanged();
      return job.target.deploy(
        {
          job: job.name,
          endpointName,
          instanceType,
          instanceCount,
          ...(autoscaling ? { autoscaling } : {}),
          ...(serverless ? { serverless } : {}),
        },
        {
          signal,
          onProgress: (p) => {
            const elapsed = p.elapsedMs !== undefined ? ` (${formatDuration(p.elapsedMs)})` : '';
            progress.report({ message: `${p.message}${elapsed}` });
            ctx.log.info(`deploy ${endpointName}: ${p.message}`);
            if (p.phase !== 'wait') targets(ctx).jobsChanged();
          },
        },
      );
    },
  );
  targets(ctx).jobsChanged();
  ctx.log.info(`endpoint ${endpointName} is ${result.endpoint.status} (model ${result.modelName})`);
  const runs = describeCapacity(result.endpoint);
  void vscode.window.showInformationMessage(
    `Endpoint ${endpointName} is ${result.endpoint.status}${result.updated ? ' (updated in place)' : ''}${runs ? `: ${runs}` : ''}.`,
  );
  return endpointName;
}

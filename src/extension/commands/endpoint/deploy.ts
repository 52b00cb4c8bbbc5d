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
import type { Flow } from '../../flows/flow';
import { capacityDefaults, capacityOf, capacitySteps, type CapacityState } from './deployCapacity';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

interface DeployAnswers extends CapacityState {
  readonly endpointName: string;
}

function deployFlow(existing: readonly string[]): Flow<DeployAnswers> {
  return {
    title: vscode.l10n.t('Deploy Model to Endpoint'),
    steps: [
      {
        ask: async (s, ask) => ({
          endpointName: await ask.text({
            prompt: vscode.l10n.t(
              'Endpoint name (an existing endpoint is updated in place: {0})',
              existing.slice(0, 5).join(', ') || vscode.l10n.t('none yet'),
            ),
            value: s.endpointName,
            validate: (value) => resourceNameProblem(value, 'endpoint name'),
          }),
        }),
      },
      ...capacitySteps<DeployAnswers>(),
    ],
  };
}

/**
 * tfod.endpoint.deploy: serves a completed job's model on an endpoint (created, or updated in
 * place when the name exists), with progress until it is InService or has Failed.
 */
export async function deployEndpoint(ctx: TfodContext, arg?: unknown): Promise<string | undefined> {
  const job = await jobFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Deploy Model to Endpoint'),
    ['Completed'],
  );
  if (!job) return undefined;
  const existing = await job.target.listEndpoints().catch(() => []);
  const last = recall(ctx, 'endpoint.last');
  const answers = await runQuickInputFlow(deployFlow(existing.map((e) => e.name)), {
    ...capacityDefaults(last),
    endpointName: withSuffix(job.name, 'endpoint'),
  });
  const { endpointName } = answers;
  const capacity = capacityOf(answers);
  await remember(ctx, 'endpoint.last', capacity.remembered);
  const { instanceType, instanceCount, autoscaling, serverless } = capacity;
  const updating = existing.some((e) => e.name === endpointName);
  const result = await withCancellableProgress(
    updating
      ? vscode.l10n.t('Updating endpoint {0}', endpointName)
      : vscode.l10n.t('Deploying endpoint {0}', endpointName),
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
  const status = result.updated
    ? vscode.l10n.t('Endpoint {0} is {1} (updated in place)', endpointName, result.endpoint.status)
    : vscode.l10n.t('Endpoint {0} is {1}', endpointName, result.endpoint.status);
  void vscode.window.showInformationMessage(
    runs ? vscode.l10n.t('{0}: {1}.', status, runs) : vscode.l10n.t('{0}.', status),
  );
  return endpointName;
}

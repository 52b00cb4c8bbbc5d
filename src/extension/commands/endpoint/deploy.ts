import * as vscode from 'vscode';
import { formatDuration, resourceNameProblem, withSuffix } from '../../../core/jobs';
import { ENDPOINT_INSTANCE_TYPES } from '../../../core/jobs/instanceTypes';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { recall, remember } from '../memory';
import { jobFromArgument } from '../pick';
import { firstWhere, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

interface DeployAnswers {
  readonly endpointName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
}

function deployFlow(existing: readonly string[], preferred?: string): Flow<DeployAnswers> {
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
      {
        ask: async (s, ask) => {
          const items = firstWhere(ENDPOINT_INSTANCE_TYPES, (t) => t.name === preferred).map(
            (t) => ({ label: t.name, description: t.gpus ? 'GPU' : 'CPU', detail: t.detail }),
          );
          const picked = await ask.pick({
            items,
            placeHolder: vscode.l10n.t(
              'Instance type of the endpoint (billed per instance-hour while InService)',
            ),
            active: items.find((i) => i.label === s.instanceType),
          });
          return { instanceType: picked.label };
        },
      },
      {
        ask: async (s, ask) => ({
          instanceCount: await ask.number({
            prompt: vscode.l10n.t('Instance count'),
            value: s.instanceCount,
            min: 1,
            max: 100,
            unit: vscode.l10n.t('instances'),
          }),
        }),
      },
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
  const preferred = last.instanceType ?? ENDPOINT_INSTANCE_TYPES[0]?.name;
  const { endpointName, instanceType, instanceCount } = await runQuickInputFlow(
    deployFlow(
      existing.map((e) => e.name),
      preferred,
    ),
    {
      endpointName: withSuffix(job.name, 'endpoint'),
      instanceType: preferred ?? '',
      instanceCount: last.instanceCount ?? 1,
    },
  );
  await remember(ctx, 'endpoint.last', { instanceType, instanceCount });
  const updating = existing.some((e) => e.name === endpointName);
  const result = await withCancellableProgress(
    updating
      ? vscode.l10n.t('Updating endpoint {0}', endpointName)
      : vscode.l10n.t('Deploying endpoint {0}', endpointName),
    (progress, signal) => {
      // Cancelling stops the waiting, not SageMaker: the endpoint goes on being created.
      targets(ctx).jobsChanged();
      return job.target.deploy(
        { job: job.name, endpointName, instanceType, instanceCount },
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
  void vscode.window.showInformationMessage(
    result.updated
      ? vscode.l10n.t(
          'Endpoint {0} is {1} (updated in place).',
          endpointName,
          result.endpoint.status,
        )
      : vscode.l10n.t('Endpoint {0} is {1}.', endpointName, result.endpoint.status),
  );
  return endpointName;
}

import * as vscode from 'vscode';
import {
  formatDuration,
  elapsedMs,
  type EndpointSummary,
  type Target,
  type TrainingJobStatus,
} from '../../core/jobs';
import type { TargetKind } from '../../core/target';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import { asEndpointNode, asJobNode } from '../views/nodes';

export interface PickedJob {
  readonly kind: TargetKind;
  readonly target: Target;
  readonly name: string;
}

/**
 * The job a command acts on: the tree node it was invoked on, or one picked from the selected
 * target's jobs (palette). `statuses` limits the picker to jobs the command can act on.
 */
export async function jobFromArgument(
  ctx: TfodContext,
  arg: unknown,
  title: string,
  statuses?: readonly TrainingJobStatus[],
): Promise<PickedJob | undefined> {
  const node = asJobNode(arg);
  if (node)
    return {
      kind: node.kind,
      target: targets(ctx).require(node.kind),
      name: node.entry.summary.name,
    };
  const kind = targets(ctx).current();
  const target = targets(ctx).require(kind);
  const jobs = (await target.listTrainingJobs({ maxResults: 50 })).filter(
    (job) => !statuses || statuses.includes(job.status),
  );
  if (!jobs.length) {
    void vscode.window.showInformationMessage(
      statuses
        ? vscode.l10n.t('No {0} training jobs on the {1} target.', statuses.join(' or '), kind)
        : vscode.l10n.t('No training jobs on the {0} target.', kind),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => ({
      label: job.name,
      description: `${job.secondaryStatus ?? job.status} · ${formatDuration(elapsedMs(job))}`,
      detail: job.creationTime.toLocaleString(),
    })),
    { title, placeHolder: vscode.l10n.t('Training job'), matchOnDescription: true },
  );
  return picked ? { kind, target, name: picked.label } : undefined;
}

export interface PickedEndpoint {
  readonly kind: TargetKind;
  readonly target: Target;
  readonly endpoint: EndpointSummary;
}

export async function endpointFromArgument(
  ctx: TfodContext,
  arg: unknown,
  title: string,
): Promise<PickedEndpoint | undefined> {
  const node = asEndpointNode(arg);
  if (node)
    return { kind: node.kind, target: targets(ctx).require(node.kind), endpoint: node.endpoint };
  const kind = targets(ctx).current();
  const target = targets(ctx).require(kind);
  const endpoints = await target.listEndpoints();
  if (!endpoints.length) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('No endpoints on the {0} target.', kind),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    endpoints.map((endpoint) => ({ label: endpoint.name, description: endpoint.status, endpoint })),
    { title, placeHolder: vscode.l10n.t('Endpoint') },
  );
  return picked ? { kind, target, endpoint: picked.endpoint } : undefined;
}

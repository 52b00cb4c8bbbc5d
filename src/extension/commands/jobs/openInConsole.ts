import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { endpointConsoleUrl, trainingJobConsoleUrl } from '../../../core/sagemaker/consoleUrls';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { asEndpointNode, asJobNode } from '../../views/nodes';

/** tfod.jobs.openInConsole (tree only): the job's or endpoint's page in the AWS console. */
export async function openInConsole(ctx: TfodContext, arg: unknown): Promise<void> {
  const job = asJobNode(arg);
  const endpoint = asEndpointNode(arg);
  const kind = job?.kind ?? endpoint?.kind;
  if (kind !== 'sagemaker')
    throw new UserError(
      vscode.l10n.t('only SageMaker jobs and endpoints have an AWS console page'),
    );
  const region = await targets(ctx).sagemakerRegion();
  const url = job
    ? trainingJobConsoleUrl(region, job.entry.summary.name)
    : endpointConsoleUrl(region, endpoint?.endpoint.name ?? '');
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
}

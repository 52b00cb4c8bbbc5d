import * as vscode from 'vscode';
import { endpointCostWarning } from '../../../core/sagemaker/endpointCost';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { endpointFromArgument } from '../pick';

/** tfod.endpoint.delete: deletes an endpoint after a confirmation that names what it costs. */
export async function deleteEndpoint(ctx: TfodContext, arg?: unknown): Promise<void> {
  const picked = await endpointFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Delete Endpoint'),
  );
  if (!picked) return;
  // The list carries no instance type; the description (with its config) does.
  const endpoint = await picked.target
    .describeEndpoint(picked.endpoint.name)
    .catch(() => picked.endpoint);
  const remove = vscode.l10n.t('Delete Endpoint');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("Delete endpoint '{0}'?", endpoint.name),
    {
      modal: true,
      detail:
        picked.kind === 'local'
          ? vscode.l10n.t(
              'Its container on this machine stops (requests in flight finish) and is removed; serve the model again with Serve Model Locally.',
            )
          : endpointCostWarning(endpoint),
    },
    remove,
  );
  if (answer !== remove) return;
  await picked.target.deleteEndpoint(endpoint.name);
  ctx.log.info(`deleted endpoint ${endpoint.name} (${picked.kind})`);
  targets(ctx).jobsChanged();
}

import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { asEndpointNode } from '../../views/nodes';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.endpoint.stopLocal: stops a local endpoint's container (requests in flight finish) and
 * removes it. No confirmation: it costs nothing and Serve Locally brings it back. From the palette
 * it lists the local target's endpoints whichever target is selected.
 */
export async function stopLocalEndpoint(
  ctx: TfodContext,
  arg?: unknown,
): Promise<string | undefined> {
  const node = asEndpointNode(arg);
  if (node && node.kind !== 'local')
    throw new UserError(
      vscode.l10n.t("endpoint '{0}' runs on SageMaker, not on this machine", node.endpoint.name),
      vscode.l10n.t('Use Delete Endpoint'),
    );
  const target = targets(ctx).require('local');
  let name = node?.endpoint.name;
  if (!name) {
    const endpoints = await target.listEndpoints();
    if (!endpoints.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No local endpoints are running.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      endpoints.map((e) => ({
        label: e.name,
        description: [e.status, e.url].filter(Boolean).join(' · '),
      })),
      {
        title: vscode.l10n.t('Object Detection: Stop Local Endpoint'),
        placeHolder: vscode.l10n.t('Local endpoint'),
      },
    );
    name = picked?.label;
  }
  if (!name) return undefined;
  const stopping = name;
  await withCancellableProgress(
    vscode.l10n.t('Stopping local endpoint {0}', stopping),
    (_progress, signal) => target.deleteEndpoint(stopping, signal),
  );
  ctx.log.info(`stopped local endpoint ${stopping}`);
  targets(ctx).jobsChanged();
  void vscode.window.setStatusBarMessage(
    vscode.l10n.t('Stopped local endpoint {0}', stopping),
    3000,
  );
  return stopping;
}

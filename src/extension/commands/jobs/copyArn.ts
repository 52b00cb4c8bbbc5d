import * as vscode from 'vscode';
import { asEndpointNode, asJobNode } from '../../views/nodes';
import type { TfodContext } from '../../context';

/** tfod.jobs.copyArn (tree only): the job's or endpoint's ARN (a local job's folder). */
export async function copyArn(_ctx: TfodContext, arg: unknown): Promise<void> {
  const id = asJobNode(arg)?.entry.summary.id ?? asEndpointNode(arg)?.endpoint.id;
  if (!id) return;
  await vscode.env.clipboard.writeText(id);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', id), 3000);
}

import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { asJobNode, isJobsNode } from '../../views/nodes';

/** tfod.job.copyModelUri (tree only): the S3 URI of a completed job's model.tar.gz. */
export async function copyModelUri(_ctx: TfodContext, arg: unknown): Promise<void> {
  const uri =
    asJobNode(arg)?.entry.details?.modelArtifacts ??
    (isJobsNode(arg) && arg.type === 'model' ? arg.uri : undefined);
  if (!uri) return;
  await vscode.env.clipboard.writeText(uri);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', uri), 3000);
}

import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { endpointFromArgument } from '../pick';

/** tfod.endpoint.copyUrl: the URL a local endpoint answers on (POST <url>/invocations). */
export async function copyEndpointUrl(
  ctx: TfodContext,
  arg?: unknown,
): Promise<string | undefined> {
  const picked = await endpointFromArgument(ctx, arg, 'Object Detection: Copy Endpoint URL');
  if (!picked) return undefined;
  const url =
    picked.endpoint.url ??
    (await picked.target.describeEndpoint(picked.endpoint.name).catch(() => picked.endpoint)).url;
  if (!url) {
    void vscode.window.showInformationMessage(
      `Endpoint ${picked.endpoint.name} has no URL of its own${
        picked.kind === 'sagemaker'
          ? ' (SageMaker endpoints answer through the API)'
          : ` (it is ${picked.endpoint.status})`
      }.`,
    );
    return undefined;
  }
  await vscode.env.clipboard.writeText(url);
  void vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
  return url;
}

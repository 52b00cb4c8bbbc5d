import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { endpointFromArgument } from '../pick';

/** tfod.endpoint.copyUrl: the URL a local endpoint answers on (POST <url>/invocations). */
export async function copyEndpointUrl(
  ctx: TfodContext,
  arg?: unknown,
): Promise<string | undefined> {
  const picked = await endpointFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Copy Endpoint URL'),
  );
  if (!picked) return undefined;
  const url =
    picked.endpoint.url ??
    (await picked.target.describeEndpoint(picked.endpoint.name).catch(() => picked.endpoint)).url;
  if (!url) {
    void vscode.window.showInformationMessage(
      picked.kind === 'sagemaker'
        ? vscode.l10n.t(
            'Endpoint {0} has no URL of its own (SageMaker endpoints answer through the API).',
            picked.endpoint.name,
          )
        : vscode.l10n.t(
            'Endpoint {0} has no URL of its own (it is {1}).',
            picked.endpoint.name,
            picked.endpoint.status,
          ),
    );
    return undefined;
  }
  // The endpoint listens where the extension runs; in a remote window (SSH, a container,
  // code-server) that is not this browser's or desktop's machine, and VS Code forwards the port.
  const forwarded =
    picked.kind === 'local'
      ? (await vscode.env.asExternalUri(vscode.Uri.parse(url))).toString(true)
      : url;
  // Uri adds a '/' path to a bare origin: keep the form the endpoint gave (<url>/invocations).
  const external =
    !url.endsWith('/') && forwarded.endsWith('/') ? forwarded.slice(0, -1) : forwarded;
  if (external !== url)
    ctx.log.info(`endpoint ${picked.endpoint.name}: ${url} is ${external} here`);
  await vscode.env.clipboard.writeText(external);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', external), 3000);
  return external;
}

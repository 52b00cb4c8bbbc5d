import * as vscode from 'vscode';
import { whoAmI } from '../../core/aws/session';
import { errorMessage } from '../../core/errors';
import { affectsTfod, getAwsSessionOptions, getTarget } from '../config';
import type { TfodContext } from '../context';
import { setContextKey } from '../contextKeys';

/**
 * With the sagemaker target, shows which AWS account and region the commands will act on
 * (STS GetCallerIdentity), or what is wrong with the credentials. Hidden for the local target.
 */
export function registerAwsStatus(ctx: TfodContext): void {
  const item = vscode.window.createStatusBarItem('tfod.aws', vscode.StatusBarAlignment.Left, 49);
  item.name = vscode.l10n.t('Object Detection AWS Account');
  let generation = 0;

  const update = async (): Promise<void> => {
    const mine = ++generation;
    // No STS call in Restricted Mode: AWS waits for workspace trust.
    if (getTarget() !== 'sagemaker' || !vscode.workspace.isTrusted) {
      item.hide();
      setContextKey('tfod:aws', undefined);
      return;
    }
    const options = getAwsSessionOptions();
    item.text = '$(sync~spin) AWS';
    item.tooltip = vscode.l10n.t('Checking AWS credentials...');
    item.command = 'tfod.aws.selectProfile';
    item.backgroundColor = undefined;
    item.show();
    try {
      const identity = await whoAmI(options);
      if (mine !== generation) return;
      setContextKey('tfod:aws', 'ready');
      item.text = `$(cloud) ${identity.account} · ${identity.region}`;
      item.tooltip = vscode.l10n.t(
        'AWS account {0} in {1}\n{2}\nProfile: {3}\nClick to change the profile.',
        identity.account,
        identity.region,
        identity.arn,
        options.profile || vscode.l10n.t('default credential chain'),
      );
    } catch (error) {
      if (mine !== generation) return;
      setContextKey('tfod:aws', 'notReady');
      item.text = '$(warning) AWS';
      item.tooltip = vscode.l10n.t('{0}\nClick to choose a profile.', errorMessage(error));
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      ctx.log.warn(`AWS credentials: ${errorMessage(error)}`);
    }
  };

  void update();
  ctx.extension.subscriptions.push(
    item,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.target') || affectsTfod(event, 'tfod.aws')) void update();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void update()),
  );
}

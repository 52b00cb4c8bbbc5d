import * as vscode from 'vscode';
import { describeTarget } from '../../core/target';
import { affectsTfod, getTarget } from '../config';
import type { TfodContext } from '../context';

/** Shows the current target in the status bar; clicking it opens the target picker. */
export function registerTargetStatus(ctx: TfodContext): void {
  const item = vscode.window.createStatusBarItem('tfod.target', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('Object Detection Target');
  item.command = 'tfod.target.select';
  const update = (): void => {
    const target = describeTarget(getTarget());
    item.text = vscode.l10n.t('$(server-environment) Object Detection: {0}', target.kind);
    item.tooltip = vscode.l10n.t(
      'Object Detection target: {0}\n{1}\nClick to change.',
      target.label,
      target.detail,
    );
  };
  update();
  item.show();
  ctx.extension.subscriptions.push(
    item,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.target')) update();
    }),
  );
}

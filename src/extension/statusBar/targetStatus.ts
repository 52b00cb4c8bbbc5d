import * as vscode from 'vscode';
import { describeTarget } from '../../core/target';
import { affectsTfod, getTarget } from '../config';
import type { TfodContext } from '../context';

/** Shows the current target in the status bar; clicking it opens the target picker. */
export function registerTargetStatus(ctx: TfodContext): void {
  const item = vscode.window.createStatusBarItem('tfod.target', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Object Detection Target';
  item.command = 'tfod.target.select';
  const update = (): void => {
    const target = describeTarget(getTarget());
    item.text = `$(server-environment) Object Detection: ${target.kind}`;
    item.tooltip = `Object Detection target: ${target.label}\n${target.detail}\nClick to change.`;
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

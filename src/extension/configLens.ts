import * as vscode from 'vscode';
import { configActions } from '../core/jobs/configActions';
import type { TfodContext } from './context';

/**
 * "Train with this Config" and "Validate" above the first line of a training config: the same
 * commands as its editor title, with the document as their argument. Offered only in a trusted
 * workspace (both run the CLI or Docker), and again as soon as the workspace is trusted.
 */
export function registerConfigLens(ctx: TfodContext): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses: (document) => {
      if (!vscode.workspace.isTrusted) return [];
      const top = new vscode.Range(0, 0, 0, 0);
      return configActions(document.fileName, document.languageId).map(
        (action) =>
          new vscode.CodeLens(top, {
            title: action.title,
            tooltip: action.tooltip,
            command: action.command,
            arguments: [document.uri],
          }),
      );
    },
  };
  ctx.extension.subscriptions.push(
    changed,
    vscode.languages.registerCodeLensProvider(
      [{ language: 'textproto', pattern: '**/*.config' }],
      provider,
    ),
    vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
  );
}

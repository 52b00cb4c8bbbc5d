import * as vscode from 'vscode';

/** The one log of the extension (Output > Object Detection); its level follows the user's choice. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(vscode.l10n.t('Object Detection'), { log: true });
}

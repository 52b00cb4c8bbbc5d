import * as vscode from 'vscode';

/** The one log of the extension (Output > Object Detection); its level follows the user's choice. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Object Detection', { log: true });
}

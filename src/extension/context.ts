import type * as vscode from 'vscode';

/** What every command and view of the extension gets; built once in activate(). */
export interface TfodContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
}

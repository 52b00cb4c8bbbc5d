import { relative } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { TASK_TYPE } from '../../../core/tasks';
import type { TfodContext } from '../../context';
import { tfodTask } from '../../tasks';

/**
 * tfod.config.validate: `tfod validate <config>` as a task (the CLI that ships with the extension),
 * its `path:line:col` lines in the Problems panel through the `$tfod` matcher. The config is the
 * one the action was on (editor title, CodeLens, Explorer), else the active editor's, else the
 * workspace's pipeline.config (asked when there are several).
 */
export async function validateConfig(ctx: TfodContext, resource?: unknown): Promise<void> {
  const uri =
    resource instanceof vscode.Uri
      ? resource
      : await currentConfig(vscode.l10n.t('Validate Config'));
  // The CLI reads the file on disk: unsaved edits would be validated as they were.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const path = folder ? relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
  ctx.log.info(`validating ${uri.fsPath}`);
  await vscode.tasks.executeTask(
    tfodTask(ctx, { type: TASK_TYPE, command: 'validate', args: [path] }, folder),
  );
}

/**
 * The config a command acts on when none was given: the active editor's `*.config`, else the
 * workspace's pipeline.config (asked when there are several).
 */
export async function currentConfig(title: string): Promise<vscode.Uri> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.path.endsWith('.config')) return active;
  const found = await vscode.workspace.findFiles('**/pipeline.config', '**/node_modules/**', 50);
  if (found.length === 1 && found[0]) return found[0];
  if (found.length === 0)
    throw new UserError(
      vscode.l10n.t('there is no pipeline.config in this workspace'),
      vscode.l10n.t(
        'Open a config in the editor, or create a project with Create Sample Project or New Project from Model Zoo',
      ),
    );
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title, placeHolder: vscode.l10n.t('Which pipeline.config?') },
  );
  if (!picked) throw new vscode.CancellationError();
  return picked.uri;
}

import { join } from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../../core/errors';
import {
  checkpointDownloadCommand,
  sampleFolderProblem,
  sampleSummary,
  writeSampleProject,
} from '../../../core/sample';
import type { TfodContext } from '../../context';
import { askText } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.sample.create, the twin of `tfod sample`: a tiny synthetic training project (squares and
 * discs: pipeline.config, label_map.pbtxt, sharded TFRecords, JPEGs) in a new or empty folder,
 * then how to get the pre-trained checkpoint it fine-tunes.
 */
export async function createSampleProject(ctx: TfodContext): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (await pickParent());
  const dir = await askText(
    { title: vscode.l10n.t('Create Sample Project'), step: 1, total: 1 },
    {
      prompt: vscode.l10n.t('Folder for the sample project (new or empty)'),
      value: join(folder, 'tfod-sample'),
      validate: sampleFolderProblem,
    },
  );
  const project = await withCancellableProgress(vscode.l10n.t('Create Sample Project'), () =>
    writeSampleProject(dir, {}),
  );
  ctx.log.info(`wrote the sample project to ${project.dir}: ${sampleSummary(project)}`);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project.dir));
  const openConfig = vscode.l10n.t('Open pipeline.config');
  const openFolder = vscode.l10n.t('Open Folder');
  const copy = vscode.l10n.t('Copy Download Command');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Wrote the sample project to {0} ({1}). It fine-tunes a pre-trained checkpoint that is downloaded separately (about 20 MB): run the download command in a terminal, or train without it from scratch.',
      project.dir,
      sampleSummary(project),
    ),
    inWorkspace ? openConfig : openFolder,
    copy,
  );
  if (choice === copy) {
    await vscode.env.clipboard.writeText(checkpointDownloadCommand(project));
    vscode.window.setStatusBarMessage(
      vscode.l10n.t('Copied the checkpoint download command'),
      3000,
    );
  } else if (choice === openConfig) {
    await vscode.window.showTextDocument(vscode.Uri.file(join(project.dir, 'pipeline.config')));
  } else if (choice === openFolder) {
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(project.dir));
  }
  return project.dir;
}

async function pickParent(): Promise<string> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    title: vscode.l10n.t('Create Sample Project: where to put it'),
    openLabel: vscode.l10n.t('Create Sample Here'),
  });
  if (!picked?.[0]) throw new CancelledError();
  return picked[0].fsPath;
}

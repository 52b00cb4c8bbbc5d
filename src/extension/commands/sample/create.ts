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

const OPEN_CONFIG = 'Open pipeline.config';
const OPEN_FOLDER = 'Open Folder';
const COPY = 'Copy Download Command';

/**
 * tfod.sample.create, the twin of `tfod sample`: a tiny synthetic training project (squares and
 * discs: pipeline.config, label_map.pbtxt, sharded TFRecords, JPEGs) in a new or empty folder,
 * then how to get the pre-trained checkpoint it fine-tunes.
 */
export async function createSampleProject(ctx: TfodContext): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (await pickParent());
  const dir = await askText(
    { title: 'Create Sample Project', step: 1, total: 1 },
    {
      prompt: 'Folder for the sample project (new or empty)',
      value: join(folder, 'tfod-sample'),
      validate: sampleFolderProblem,
    },
  );
  const project = await withCancellableProgress('Create Sample Project', () =>
    writeSampleProject(dir, {}),
  );
  ctx.log.info(`wrote the sample project to ${project.dir}: ${sampleSummary(project)}`);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project.dir));
  const choice = await vscode.window.showInformationMessage(
    `Wrote the sample project to ${project.dir} (${sampleSummary(project)}). It fine-tunes a pre-trained checkpoint that is downloaded separately (about 20 MB): run the download command in a terminal, or train without it from scratch.`,
    inWorkspace ? OPEN_CONFIG : OPEN_FOLDER,
    COPY,
  );
  if (choice === COPY) {
    await vscode.env.clipboard.writeText(checkpointDownloadCommand(project));
    vscode.window.setStatusBarMessage('Copied the checkpoint download command', 3000);
  } else if (choice === OPEN_CONFIG) {
    await vscode.window.showTextDocument(vscode.Uri.file(join(project.dir, 'pipeline.config')));
  } else if (choice === OPEN_FOLDER) {
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(project.dir));
  }
  return project.dir;
}

async function pickParent(): Promise<string> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    title: 'Create Sample Project: where to put it',
    openLabel: 'Create Sample Here',
  });
  if (!picked?.[0]) throw new CancelledError();
  return picked[0].fsPath;
}

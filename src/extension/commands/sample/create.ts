import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  checkpointDownloadCommand,
  sampleFolderProblem,
  sampleSummary,
  writeSampleProject,
} from '../../../core/sample';
import type { TfodContext } from '../../context';
import { resolvePath } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { knownArchitecture } from '../memory';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.sample.create, the twin of `tfod sample`: a tiny synthetic training project (squares and
 * discs: pipeline.config, label_map.pbtxt, sharded TFRecords, JPEGs) in a new or empty folder,
 * then how to get the pre-trained checkpoint it fine-tunes.
 */
export async function createSampleProject(ctx: TfodContext): Promise<string> {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const { dir: typed } = await runQuickInputFlow(
    {
      title: vscode.l10n.t('Create Sample Project'),
      steps: [
        {
          ask: async (s, ask) => ({
            dir: await ask.text({
              prompt: vscode.l10n.t('Folder for the sample project (new or empty)'),
              value: s.dir,
              browse: {
                base,
                folders: true,
                files: false,
                openLabel: vscode.l10n.t('Create Sample Here'),
              },
              validate: (value) => sampleFolderProblem(value && resolvePath(base, value)),
            }),
          }),
        },
      ],
    },
    { dir: join(base, 'tfod-sample') },
  );
  const dir = resolvePath(base, typed);
  const project = await withCancellableProgress(vscode.l10n.t('Create Sample Project'), () =>
    // The TF1 form for a workspace whose image is a 1.15 one; TF2 otherwise.
    writeSampleProject(dir, { tfMajor: knownArchitecture(ctx)?.startsWith('1.') ? 1 : 2 }),
  );
  ctx.log.info(`wrote the sample project to ${project.dir}: ${sampleSummary(project)}`);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project.dir));
  const openConfig = vscode.l10n.t('Open pipeline.config');
  const openFolder = vscode.l10n.t('Open Folder');
  const copy = vscode.l10n.t('Copy Download Command');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Wrote the sample project to {0} ({1}). It fine-tunes a pre-trained checkpoint that is downloaded separately: run the download command in a terminal, or train without it from scratch.',
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

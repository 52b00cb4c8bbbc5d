import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { connectDocker, describeDockerEngine } from '../../../core/docker/engine';
import { validateTrainingJobSpec, type TrainingJobSpec } from '../../../core/jobs';
import { UserError } from '../../../core/errors';
import {
  JOB_PROFILE_PATH,
  profileFromSpec,
  readJobProfile,
  type ProfileOptions,
} from '../../../core/jobs/profile';
import { defaultLocalOutputPath } from '../../../core/local';
import type { TargetKind } from '../../../core/target';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { remember } from '../memory';
import { withCancellableProgress } from '../registerCommand';
import { ensureUploaded } from '../data/upload';
import { askLocalTrainingJobSpec, askTrainingJobSpec } from './askSpec';
import { checkJobTrainingData } from './checkData';

/**
 * tfod.job.start: a training job on the selected target, from the saved job profile
 * (.tfod/job.json) when the workspace has one and the user picks it, or from the guided flow.
 * Given a config (Train with this Config, on its editor title or CodeLens) or a folder (the
 * Explorer's Start Training Job), the local flow proposes that folder as the training channel;
 * on SageMaker an Explorer folder is uploaded first, unless it was the last upload.
 */
export async function startJob(ctx: TfodContext, resource?: unknown): Promise<string | undefined> {
  const given = resource instanceof vscode.Uri ? await trainingFolderOf(resource) : undefined;
  const kind = targets(ctx).current();
  const target = targets(ctx).require(kind);
  // Before six questions, not after them: the local target needs a running Docker engine.
  if (kind === 'local') await describeDockerEngine(connectDocker());
  if (given?.config) await saveIfDirty(given.config);
  // An Explorer folder on SageMaker: the job trains from S3, so from that folder's upload.
  if (given && !given.config && kind === 'sagemaker' && !(await ensureUploaded(ctx, given.folder)))
    return undefined;
  const { spec, fromProfile } = await chooseSpec(ctx, kind, given?.folder);
  // A job whose config or label map it would fail on is refused before it starts.
  if (!(await checkJobTrainingData(ctx, kind, spec))) return undefined;
  const warnings = validateTrainingJobSpec(spec, { target: kind }).filter(
    (p) => p.severity === 'warning',
  );
  if (warnings.length) {
    const go = vscode.l10n.t('Start Anyway');
    const answer = await vscode.window.showWarningMessage(
      warnings.length === 1
        ? vscode.l10n.t("Training job '{0}' has 1 warning", spec.name)
        : vscode.l10n.t("Training job '{0}' has {1} warnings", spec.name, warnings.length),
      { modal: true, detail: warnings.map((w) => `• ${w.message}`).join('\n') },
      go,
    );
    if (answer !== go) return undefined;
  }
  await remember(ctx, 'job.last', profileFromSpec(spec));
  const job = await withCancellableProgress(
    vscode.l10n.t('Starting training job {0}', spec.name),
    (_p, signal) => target.startTrainingJob(spec, signal),
  );
  ctx.log.info(`started training job ${job.name} on ${kind} (${spec.instanceType}): ${job.id}`);
  targets(ctx).jobsChanged();
  const folder = vscode.workspace.workspaceFolders?.[0];
  const save = vscode.l10n.t('Save as Job Profile');
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t('Training job {0} started on {1}.', job.name, spec.instanceType),
      ...(folder && !fromProfile ? [save] : []),
    )
    .then(async (choice) => {
      if (choice !== save || !folder) return;
      const uri = vscode.Uri.joinPath(folder.uri, JOB_PROFILE_PATH);
      const text = `${JSON.stringify(profileFromSpec(spec), null, 2)}\n`;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      ctx.log.info(`saved the job settings as ${uri.fsPath}`);
    });
  return job.name;
}

/** A config's folder, or the folder itself. */
async function trainingFolderOf(
  uri: vscode.Uri,
): Promise<{ folder: vscode.Uri; config?: vscode.Uri }> {
  const { type } = await vscode.workspace.fs.stat(uri);
  return type & vscode.FileType.Directory
    ? { folder: uri }
    : { folder: vscode.Uri.file(dirname(uri.fsPath)), config: uri };
}

/** The job reads the config from disk: unsaved edits would not be trained on. */
async function saveIfDirty(uri: vscode.Uri): Promise<void> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
}

async function chooseSpec(
  ctx: TfodContext,
  kind: TargetKind,
  trainingFolder: vscode.Uri | undefined,
): Promise<{ spec: TrainingJobSpec; fromProfile: boolean }> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const options: ProfileOptions =
    kind === 'local' && folder
      ? {
          target: 'local',
          baseDir: folder.uri.fsPath,
          defaultOutputPath: defaultLocalOutputPath(folder.uri.fsPath),
        }
      : { target: kind };
  const profile = folder && vscode.Uri.joinPath(folder.uri, JOB_PROFILE_PATH);
  // A config or folder named by the user wins over the saved profile's channels.
  if (profile && !trainingFolder && (await exists(profile))) {
    const choice = await vscode.window.showQuickPick(
      [
        {
          label: vscode.l10n.t('Use {0}', JOB_PROFILE_PATH),
          detail: vscode.l10n.t('Start the job the saved profile describes, under a new name'),
          profile: true,
        },
        {
          label: vscode.l10n.t('Guided setup'),
          detail: vscode.l10n.t('Answer the questions one by one'),
          profile: false,
        },
      ],
      {
        title: vscode.l10n.t('Start Training Job'),
        placeHolder: vscode.l10n.t('This workspace has a saved job profile'),
      },
    );
    if (!choice) throw new vscode.CancellationError();
    if (choice.profile)
      return {
        spec: await readJobProfile(profile.fsPath, {}, new Date(), options),
        fromProfile: true,
      };
  }
  if (kind === 'local') {
    if (!folder)
      throw new UserError(
        vscode.l10n.t('the local target keeps its jobs in the workspace, and no folder is open'),
        vscode.l10n.t('Open your project folder first'),
      );
    return {
      spec: await askLocalTrainingJobSpec(ctx, folder.uri.fsPath, trainingFolder?.fsPath),
      fromProfile: false,
    };
  }
  return { spec: await askTrainingJobSpec(ctx), fromProfile: false };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

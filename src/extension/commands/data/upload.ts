import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../../core/errors';
import { s3UriProblem } from '../../../core/jobs';
import { formatBytes } from '../../../core/image/build';
import {
  createS3Client,
  ensureBucket,
  planUpload,
  uploadFiles,
  type UploadPlan,
} from '../../../core/s3';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { recall, remember, setting } from '../memory';
import { askText } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.data.upload: checks a training folder, refuses it with the list of what is missing, then
 * uploads it to S3 in the seed's layout with byte progress; a re-run sends only what is missing.
 */
export async function uploadTrainingData(
  ctx: TfodContext,
  arg?: unknown,
): Promise<string | undefined> {
  const last = recall(ctx, 'data.last');
  const folder = arg instanceof vscode.Uri ? arg : await pickFolder(last.folder);
  const prefix = await askText(
    { title: vscode.l10n.t('Upload Training Data'), step: 1, total: 1 },
    {
      prompt: vscode.l10n.t(
        'S3 prefix for {0} (TFRecords, pipeline.config and label_map.pbtxt go to its root)',
        vscode.workspace.asRelativePath(folder),
      ),
      value: last.prefix ?? setting('data.s3Prefix'),
      placeHolder: 's3://my-bucket/data/',
      validate: (value) => s3UriProblem(value, 'S3 prefix'),
    },
  );
  const plan = await planUpload(folder.fsPath, prefix);
  if (plan.problems.length) return refuse(ctx, plan);
  for (const note of plan.notes) ctx.log.info(`upload: ${note}`);
  const session = getAwsSessionOptions();
  const client = createS3Client(session);
  try {
    await ensureBucketOrAsk(client, plan.destination.bucket, session);
    const result = await withCancellableProgress(
      vscode.l10n.t('Uploading to {0}', prefix),
      async (progress, signal) => {
        let reported = 0;
        return uploadFiles(plan, {
          client,
          signal,
          session,
          onProgress: (p) => {
            const done = p.sentBytes + p.skippedBytes;
            const percent = p.totalBytes ? (done / p.totalBytes) * 100 : 100;
            progress.report({
              increment: percent - reported,
              message: `${formatBytes(done)} of ${formatBytes(p.totalBytes)} · ${p.filesDone}/${p.filesTotal} files`,
            });
            reported = percent;
            if (p.event.type === 'retry')
              ctx.log.warn(`upload: retrying ${p.event.key}: ${p.event.error}`);
          },
        });
      },
    );
    ctx.log.info(
      `uploaded ${folder.fsPath} to ${prefix}: ${result.uploaded.length} sent, ${result.skipped.length} already there, ${formatBytes(result.sentBytes)} in ${result.seconds.toFixed(1)}s`,
    );
    await remember(ctx, 'data.last', {
      folder: folder.fsPath,
      prefix,
      training: plan.channels.training,
      ...(plan.channels.checkpoint ? { checkpoint: plan.channels.checkpoint } : {}),
    });
    const start = vscode.l10n.t('Start Training Job');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Uploaded {0} files ({1} already in S3) to {2}.',
          result.uploaded.length,
          result.skipped.length,
          plan.channels.training,
        ),
        start,
      )
      .then((choice) => choice === start && vscode.commands.executeCommand('tfod.job.start'));
    return plan.channels.training;
  } finally {
    client.destroy();
  }
}

async function pickFolder(last: string | undefined): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t(
      'Upload Training Data: the folder with TFRecords, pipeline.config, label map and checkpoint',
    ),
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Upload This Folder'),
    defaultUri: last ? vscode.Uri.file(last) : vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const folder = picked?.[0];
  if (!folder) throw new CancelledError();
  return folder;
}

async function refuse(ctx: TfodContext, plan: UploadPlan): Promise<undefined> {
  for (const problem of plan.problems)
    ctx.log.warn(`upload refused: ${problem.message} (${problem.fix})`);
  const openLog = vscode.l10n.t('Open Log');
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t('{0} is not ready for training: nothing was uploaded.', plan.folder),
    {
      modal: true,
      detail: plan.problems.map((p) => `• ${p.message}\n   ${p.fix}`).join('\n'),
    },
    openLog,
  );
  if (choice === openLog) ctx.log.show();
  return undefined;
}

async function ensureBucketOrAsk(
  client: ReturnType<typeof createS3Client>,
  bucket: string,
  session: ReturnType<typeof getAwsSessionOptions>,
): Promise<void> {
  try {
    await ensureBucket(client, bucket, { session });
  } catch (error) {
    if (!(error instanceof UserError) || !/does not exist$/.test(error.message)) throw error;
    const create = vscode.l10n.t('Create Bucket');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t("Bucket '{0}' does not exist. Create it?", bucket),
      {
        modal: true,
        detail: vscode.l10n.t('It is created in the configured AWS region, owned by your account.'),
      },
      create,
    );
    if (answer !== create) throw new CancelledError();
    await ensureBucket(client, bucket, { session, create: true });
  }
}

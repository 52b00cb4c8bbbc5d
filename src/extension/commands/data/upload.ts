import { homedir } from 'node:os';
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
import { folderProblem, resolvePath, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

interface UploadAnswers {
  readonly folder: string;
  readonly prefix: string;
}

/** The folder (unless the Explorer gave it) and the S3 prefix; folders relative to `base`. */
function uploadFlow(base: string, folderGiven: boolean): Flow<UploadAnswers> {
  return {
    title: vscode.l10n.t('Upload Training Data'),
    steps: [
      {
        when: () => !folderGiven,
        ask: async (s, ask) => ({
          folder: await ask.text({
            prompt: vscode.l10n.t(
              'The training folder: TFRecords, pipeline.config, label map and checkpoint (relative to the workspace folder, or absolute)',
            ),
            value: s.folder,
            browse: {
              base,
              folders: true,
              files: false,
              openLabel: vscode.l10n.t('Upload This Folder'),
            },
            validate: (value) =>
              folderProblem(value, base, vscode.l10n.t('Give the training folder')),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          prefix: await ask.text({
            prompt: vscode.l10n.t(
              'S3 prefix for {0} (TFRecords, pipeline.config and label_map.pbtxt go to its root)',
              s.folder,
            ),
            value: s.prefix,
            placeHolder: 's3://my-bucket/data/',
            validate: (value) => s3UriProblem(value, 'S3 prefix'),
          }),
        }),
      },
    ],
  };
}

/**
 * tfod.data.upload: checks a training folder (the Explorer's, or asked), refuses it with the list
 * of what is missing, then uploads it to S3 in the seed's layout with byte progress; a re-run
 * sends only what is missing.
 */
export function uploadTrainingData(ctx: TfodContext, arg?: unknown): Promise<string | undefined> {
  return uploadFolder(ctx, arg instanceof vscode.Uri ? arg : undefined, { offerStart: true });
}

/**
 * Start Training Job on an Explorer folder, on SageMaker: true when the folder was the last one
 * uploaded (its channels are the flow's defaults), else after uploading it, if the user agrees.
 */
export async function ensureUploaded(ctx: TfodContext, folder: vscode.Uri): Promise<boolean> {
  if (recall(ctx, 'data.last').folder === folder.fsPath) return true;
  const upload = vscode.l10n.t('Upload, Then Start');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is not in S3 yet', vscode.workspace.asRelativePath(folder)),
    { modal: true, detail: vscode.l10n.t('A SageMaker training job reads its data from S3.') },
    upload,
  );
  if (answer !== upload) throw new CancelledError();
  return (await uploadFolder(ctx, folder, { offerStart: false })) !== undefined;
}

async function uploadFolder(
  ctx: TfodContext,
  given: vscode.Uri | undefined,
  options: { readonly offerStart: boolean },
): Promise<string | undefined> {
  const last = recall(ctx, 'data.last');
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const answers = await runQuickInputFlow(uploadFlow(base, given !== undefined), {
    folder: given?.fsPath ?? last.folder ?? base,
    prefix: last.prefix ?? setting('data.s3Prefix') ?? '',
  });
  const folder = vscode.Uri.file(resolvePath(base, answers.folder));
  const { prefix } = answers;
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
              message: vscode.l10n.t(
                '{0} of {1} · {2}/{3} files',
                formatBytes(done),
                formatBytes(p.totalBytes),
                p.filesDone,
                p.filesTotal,
              ),
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
        ...(options.offerStart ? [start] : []),
      )
      .then((choice) => choice === start && vscode.commands.executeCommand('tfod.job.start'));
    return plan.channels.training;
  } finally {
    client.destroy();
  }
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

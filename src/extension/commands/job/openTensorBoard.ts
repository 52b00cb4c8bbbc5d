import * as vscode from 'vscode';
import { CancelledError } from '../../../core/errors';
import { createS3Client } from '../../../core/s3';
import {
  findTensorBoard,
  installTensorBoard,
  launchTensorBoard,
  ownTensorBoardEnv,
  type RunningTensorBoard,
} from '../../../core/tensorboard';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { jobFromArgument } from '../pick';

/** The TensorBoards this window started, by target and job: opened again, not started twice. */
const running = new Map<string, RunningTensorBoard>();

/**
 * tfod.job.openTensorBoard: TensorBoard on the job's event files (a local job's folder, a
 * SageMaker job's copied from S3 and kept up to date while it runs), in VS Code's Simple Browser.
 * TensorBoard runs until the window closes.
 */
export async function openTensorBoard(ctx: TfodContext, arg?: unknown): Promise<void> {
  const picked = await jobFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Open in TensorBoard'),
  );
  if (!picked) return;
  const key = `${picked.kind}:${picked.name}`;
  let board = running.get(key);
  if (!board) {
    board = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('TensorBoard for {0}', picked.name),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const { signal } = controller;
        const job = await picked.target.describeTrainingJob(picked.name, signal);
        const executable = await tensorBoardExecutable(ctx, signal, progress);
        if (!executable) return undefined;
        const session = getAwsSessionOptions();
        const client = job.target === 'sagemaker' ? createS3Client(session) : undefined;
        try {
          const started = await launchTensorBoard({
            job,
            executable,
            ...(client ? { s3: { client, session } } : {}),
            signal,
            onProgress: (message) => progress.report({ message }),
            onLine: (line) => ctx.log.info(`tensorboard (${picked.name}): ${line}`),
          });
          void started.exited.then((how) => {
            running.delete(key);
            client?.destroy();
            ctx.log.info(`TensorBoard for ${picked.name} ${how}`);
          });
          return started;
        } catch (error) {
          client?.destroy();
          throw error;
        }
      },
    );
    if (!board) return;
    running.set(key, board);
    const started = board;
    ctx.extension.subscriptions.push({ dispose: () => started.stop() });
    ctx.log.info(`TensorBoard for ${picked.name}: ${board.url} on ${board.logdir}`);
  }
  // TensorBoard listens where the extension runs: forwarded in a remote window.
  const external = await vscode.env.asExternalUri(vscode.Uri.parse(board.url));
  try {
    await vscode.commands.executeCommand('simpleBrowser.show', external.toString(true));
  } catch {
    await vscode.env.openExternal(external);
  }
}

/**
 * The configured TensorBoard (tfod.tensorboard.path), ours, or the one on PATH; else, with the
 * user's consent, one installed from PyPI into our own environment. Undefined when declined.
 */
async function tensorBoardExecutable(
  ctx: TfodContext,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
): Promise<string | undefined> {
  const configured = vscode.workspace.getConfiguration('tfod').get<string>('tensorboard.path');
  const found = findTensorBoard(configured);
  if (found) return found.path;
  const envDir = ownTensorBoardEnv();
  const install = vscode.l10n.t('Install TensorBoard');
  const setPath = vscode.l10n.t('Set Path…');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('TensorBoard is not installed.'),
    {
      modal: true,
      detail: vscode.l10n.t(
        "Install it from PyPI (pip install tensorboard) into a Python environment of the extension's own, {0}? Nothing else on this machine changes. Or set tfod.tensorboard.path to a tensorboard you have.",
        envDir,
      ),
    },
    install,
    setPath,
  );
  if (answer === setPath) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'tfod.tensorboard.path');
    return undefined;
  }
  if (answer !== install) return undefined;
  if (signal.aborted) throw new CancelledError();
  ctx.log.info(`installing TensorBoard into ${envDir}`);
  return installTensorBoard({
    signal,
    onLine: (line) => {
      ctx.log.info(`pip: ${line}`);
      progress.report({ message: vscode.l10n.t('Installing TensorBoard: {0}', line.slice(0, 80)) });
    },
  });
}

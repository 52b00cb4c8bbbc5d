import * as vscode from 'vscode';
import { isDockerUnreachable } from '../../core/docker/engine';
import { CancelledError, isUserError, UserError } from '../../core/errors';
import type { TfodContext } from '../context';

export type CommandHandler = (ctx: TfodContext, ...args: unknown[]) => unknown;

/** Docker's own page on installing and starting it, per platform. */
export const GET_DOCKER_URL = 'https://docs.docker.com/get-started/get-docker/';

/**
 * Registers a palette command with the extension's error handling: a UserError shows its message
 * and fix, a cancellation shows nothing, anything else is logged with its stack and shown briefly.
 * Every registration is disposed with the extension.
 */
export function registerCommand(
  ctx: TfodContext,
  id: string,
  handler: CommandHandler,
  options: { readonly needsTrust?: boolean } = {},
): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        if (options.needsTrust && !vscode.workspace.isTrusted)
          throw new UserError(
            vscode.l10n.t(
              'this command runs Docker or AWS work, and the workspace is in Restricted Mode',
            ),
            vscode.l10n.t('Trust the workspace (Manage Workspace Trust), then run it again'),
          );
        return await handler(ctx, ...args);
      } catch (error) {
        await reportCommandError(ctx, id, error);
        return undefined;
      }
    }),
  );
}

async function reportCommandError(ctx: TfodContext, id: string, error: unknown): Promise<void> {
  if (error instanceof CancelledError || error instanceof vscode.CancellationError) {
    ctx.log.info(`${id}: cancelled`);
    return;
  }
  if (isUserError(error)) {
    ctx.log.warn(`${id}: ${error.toLine()}`);
  } else {
    ctx.log.error(`${id} failed`, error);
  }
  // A UserError's text comes from the vscode-free core, in English; the frame is localised.
  const text = isUserError(error)
    ? sentence(error.toLine())
    : vscode.l10n.t(
        'Object Detection: {0}',
        error instanceof Error ? error.message : String(error),
      );
  const openLog = vscode.l10n.t('Open Log');
  const getDocker = vscode.l10n.t('Install or Start Docker');
  const switchToSageMaker = vscode.l10n.t('Switch to SageMaker');
  const manageTrust = vscode.l10n.t('Manage Workspace Trust');
  const docker = isDockerUnreachable(error);
  const untrusted = !vscode.workspace.isTrusted && isUserError(error);
  const choice = await vscode.window.showErrorMessage(
    text,
    ...(docker ? [getDocker, switchToSageMaker] : []),
    ...(untrusted ? [manageTrust] : []),
    openLog,
  );
  if (choice === manageTrust) await vscode.commands.executeCommand('workbench.trust.manage');
  if (choice === openLog) ctx.log.show();
  if (choice === getDocker) await vscode.env.openExternal(vscode.Uri.parse(GET_DOCKER_URL));
  if (choice === switchToSageMaker)
    await vscode.commands.executeCommand('tfod.target.select', 'sagemaker');
}

/** A message as a notification shows it: its first letter capital. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Runs long work in a cancellable notification; the token is bridged to an AbortSignal so it can
 * reach an AWS SDK call or a Docker stream.
 */
export function withCancellableProgress<T>(
  title: string,
  work: (
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    signal: AbortSignal,
  ) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await work(progress, controller.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
}

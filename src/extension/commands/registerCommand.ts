import * as vscode from 'vscode';
import { isDockerUnreachable } from '../../core/docker/engine';
import { CancelledError, isUserError, UserError } from '../../core/errors';
import type { TfodContext } from '../context';

export type CommandHandler = (ctx: TfodContext, ...args: unknown[]) => unknown;

const OPEN_LOG = 'Open Log';
const GET_DOCKER = 'Install or Start Docker';
const SWITCH_TO_SAGEMAKER = 'Switch to SageMaker';
const MANAGE_TRUST = 'Manage Workspace Trust';
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
            'this command runs Docker or AWS work, and the workspace is in Restricted Mode',
            'Trust the workspace (Manage Workspace Trust), then run it again',
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
  const text = isUserError(error)
    ? sentence(error.toLine())
    : `Object Detection: ${error instanceof Error ? error.message : String(error)}`;
  const docker = isDockerUnreachable(error);
  const untrusted = !vscode.workspace.isTrusted && isUserError(error);
  const choice = await vscode.window.showErrorMessage(
    text,
    ...(docker ? [GET_DOCKER, SWITCH_TO_SAGEMAKER] : []),
    ...(untrusted ? [MANAGE_TRUST] : []),
    OPEN_LOG,
  );
  if (choice === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
  if (choice === OPEN_LOG) ctx.log.show();
  if (choice === GET_DOCKER) await vscode.env.openExternal(vscode.Uri.parse(GET_DOCKER_URL));
  if (choice === SWITCH_TO_SAGEMAKER)
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

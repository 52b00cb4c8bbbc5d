import * as vscode from 'vscode';
import { CancelledError, isUserError } from '../../core/errors';
import type { TfodContext } from '../context';

export type CommandHandler = (ctx: TfodContext, ...args: unknown[]) => unknown;

const OPEN_LOG = 'Open Log';

/**
 * Registers a palette command with the extension's error handling: a UserError shows its message
 * and fix, a cancellation shows nothing, anything else is logged with its stack and shown briefly.
 * Every registration is disposed with the extension.
 */
export function registerCommand(ctx: TfodContext, id: string, handler: CommandHandler): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
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
    ? error.toLine()
    : `Object Detection: ${error instanceof Error ? error.message : String(error)}`;
  const choice = await vscode.window.showErrorMessage(text, OPEN_LOG);
  if (choice === OPEN_LOG) ctx.log.show();
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

import * as vscode from 'vscode';
import { errorMessage } from '../../../core/errors';
import type { TfodContext } from '../../context';
import { jobFromArgument } from '../pick';
import { withCancellableProgress } from '../registerCommand';

const following = new Map<string, vscode.OutputChannel>();

/**
 * tfod.job.showLogs: the job's log (CloudWatch on SageMaker) in its own output channel, following
 * new events until the job ends or the notification is cancelled.
 */
export async function showJobLogs(ctx: TfodContext, arg?: unknown): Promise<void> {
  const job = await jobFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Show Training Job Logs'),
  );
  if (!job) return;
  const key = `${job.kind}/${job.name}`;
  const existing = following.get(key);
  if (existing) {
    existing.show(true);
    return;
  }
  const channel = vscode.window.createOutputChannel(vscode.l10n.t('Training Job: {0}', job.name));
  ctx.extension.subscriptions.push(channel);
  following.set(key, channel);
  channel.show(true);
  let lines = 0;
  try {
    await withCancellableProgress(
      vscode.l10n.t('Following the log of {0}', job.name),
      async (progress, signal) => {
        for await (const event of job.target.tailLogs(job.name, { follow: true, signal })) {
          channel.appendLine(`${new Date(event.timestamp).toISOString()} ${event.message}`);
          if (++lines % 50 === 1) progress.report({ message: vscode.l10n.t('{0} lines', lines) });
        }
        channel.appendLine(
          signal.aborted
            ? vscode.l10n.t('-- stopped following {0} ({1} lines) --', job.name, lines)
            : vscode.l10n.t('-- end of the log of {0} ({1} lines) --', job.name, lines),
        );
      },
    );
  } catch (error) {
    channel.appendLine(vscode.l10n.t('-- stopped following: {0} --', errorMessage(error)));
    throw error;
  } finally {
    following.delete(key);
  }
}

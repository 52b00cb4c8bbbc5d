import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { jobFromArgument } from '../pick';

/** tfod.job.stop: stops a running training job after a confirmation. */
export async function stopJob(ctx: TfodContext, arg?: unknown): Promise<void> {
  const job = await jobFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Stop Training Job'),
    ['InProgress'],
  );
  if (!job) return;
  const stop = vscode.l10n.t('Stop Job');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("Stop training job '{0}'?", job.name),
    {
      modal: true,
      detail: vscode.l10n.t(
        'The job gets SIGTERM and ends as Stopped; what it trained so far is not saved as a model unless the image writes one on SIGTERM.',
      ),
    },
    stop,
  );
  if (answer !== stop) return;
  await job.target.stopTrainingJob(job.name);
  ctx.log.info(`stop requested for training job ${job.name} (${job.kind})`);
  targets(ctx).jobsChanged();
}

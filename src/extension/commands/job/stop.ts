import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { jobFromArgument } from '../pick';

/** tfod.job.stop: stops a running training job after a confirmation. */
export async function stopJob(ctx: TfodContext, arg?: unknown): Promise<void> {
  const job = await jobFromArgument(ctx, arg, 'Object Detection: Stop Training Job', [
    'InProgress',
  ]);
  if (!job) return;
  const stop = 'Stop Job';
  const answer = await vscode.window.showWarningMessage(
    `Stop training job '${job.name}'?`,
    {
      modal: true,
      detail:
        'The job gets SIGTERM and ends as Stopped; what it trained so far is not saved as a model unless the image writes one on SIGTERM.',
    },
    stop,
  );
  if (answer !== stop) return;
  await job.target.stopTrainingJob(job.name);
  ctx.log.info(`stop requested for training job ${job.name} (${job.kind})`);
  targets(ctx).jobsChanged();
}

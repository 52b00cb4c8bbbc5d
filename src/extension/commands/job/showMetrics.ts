import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { showMetricsPanel } from '../../metrics/metricsPanel';
import { jobFromArgument } from '../pick';

/** tfod.job.showMetrics: a chart of the job's loss and eval metrics over training steps. */
export async function showJobMetrics(ctx: TfodContext, arg?: unknown): Promise<void> {
  const job = await jobFromArgument(
    ctx,
    arg,
    vscode.l10n.t('Object Detection: Show Training Metrics'),
  );
  if (job) showMetricsPanel(ctx, job.kind, job.name);
}

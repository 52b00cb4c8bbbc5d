import * as vscode from 'vscode';
import { formatSummary, type BatchSummary } from '../../core/batch';
import type { TfodContext } from '../context';

export const BATCH_TITLE = 'Detect in Many Images';

/** The summary in the log in full, and in a notification in a line, with one action. */
export function showBatchSummary(
  ctx: TfodContext,
  summary: BatchSummary,
  action: string,
): Thenable<string | undefined> {
  ctx.log.info(`batch detection: ${formatSummary(summary)}`);
  const classes = summary.classes
    .slice(0, 3)
    .map((c) => `${c.name ?? `class ${c.id}`} ${c.detections}`);
  const text = `${summary.images} images: ${summary.detections} detections${classes.length ? ` (${classes.join(', ')}${summary.classes.length > 3 ? ', …' : ''})` : ''}${summary.failed ? `, ${summary.failed} failed` : ''}.`;
  return summary.failed
    ? vscode.window.showWarningMessage(text, action)
    : vscode.window.showInformationMessage(text, action);
}

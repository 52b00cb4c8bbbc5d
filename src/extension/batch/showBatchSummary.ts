import * as vscode from 'vscode';
import { formatSummary, type BatchSummary } from '../../core/batch';
import type { TfodContext } from '../context';

export const BATCH_TITLE = vscode.l10n.t('Detect in Many Images');

/** The summary in the log in full, and in a notification in a line, with one action. */
export function showBatchSummary(
  ctx: TfodContext,
  summary: BatchSummary,
  action: string,
): Thenable<string | undefined> {
  ctx.log.info(`batch detection: ${formatSummary(summary)}`);
  const classes = summary.classes
    .slice(0, 3)
    .map((c) => `${c.name ?? vscode.l10n.t('class {0}', c.id)} ${c.detections}`);
  const perClass = classes.length
    ? ` (${classes.join(', ')}${summary.classes.length > 3 ? ', …' : ''})`
    : '';
  const text = summary.failed
    ? vscode.l10n.t(
        '{0} images: {1} detections{2}, {3} failed.',
        summary.images,
        summary.detections,
        perClass,
        summary.failed,
      )
    : vscode.l10n.t('{0} images: {1} detections{2}.', summary.images, summary.detections, perClass);
  return summary.failed
    ? vscode.window.showWarningMessage(text, action)
    : vscode.window.showInformationMessage(text, action);
}

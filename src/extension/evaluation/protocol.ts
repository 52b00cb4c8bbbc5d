import type { EvaluationReport } from '../../core/evaluation/report';

/**
 * The messages between the evaluation report webview (media/evaluation) and the extension host.
 * No 'vscode' here: the webview bundle imports these types too. The webview keeps the report, and
 * the one it is compared with, with setState, so the serializer gets both back after a reload
 * without evaluating again.
 */

export interface EvaluationPanelState {
  readonly report: EvaluationReport;
  /** The evaluation this one is compared with (B), while comparing. */
  readonly other?: EvaluationReport;
}

export type HostMessage =
  /** The report, and the other one while comparing (absent: not comparing). */
  | {
      readonly type: 'report';
      readonly report: EvaluationReport;
      readonly other?: EvaluationReport;
    }
  /** The gallery's images as data: URLs by image id, read from the records after the report. */
  | { readonly type: 'images'; readonly images: Readonly<Record<number, string>> };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'export'; readonly format: 'json' | 'csv' }
  /** Compare with…: the host asks which evaluation (an open report or a JSON file). */
  | { readonly type: 'compare' }
  | { readonly type: 'stopComparing' }
  /** The comparison as CSV. */
  | { readonly type: 'exportComparison' };

function isReport(report: Partial<EvaluationReport> | undefined): boolean {
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.model === 'string' &&
    typeof report.summary === 'object' &&
    Array.isArray(report.classes) &&
    Array.isArray(report.curves?.classes) &&
    Array.isArray(report.confusion?.counts)
  );
}

export function isEvaluationPanelState(value: unknown): value is EvaluationPanelState {
  const state = value as Partial<EvaluationPanelState> | undefined;
  return isReport(state?.report) && (state?.other === undefined || isReport(state.other));
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const message = value as Partial<WebviewMessage> | undefined;
  switch (message?.type) {
    case 'ready':
    case 'compare':
    case 'stopComparing':
    case 'exportComparison':
      return true;
    case 'export': {
      const format = (message as { format?: unknown }).format;
      return format === 'json' || format === 'csv';
    }
    default:
      return false;
  }
}

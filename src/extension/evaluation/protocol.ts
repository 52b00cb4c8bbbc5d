import type { EvaluationReport } from '../../core/evaluation/report';

/**
 * The messages between the evaluation report webview (media/evaluation) and the extension host.
 * No 'vscode' here: the webview bundle imports these types too. The webview keeps the report
 * with setState, so the serializer gets it back after a reload without evaluating again.
 */

export interface EvaluationPanelState {
  readonly report: EvaluationReport;
}

export type HostMessage =
  | { readonly type: 'report'; readonly report: EvaluationReport }
  /** The gallery's images as data: URLs by image id, read from the records after the report. */
  | { readonly type: 'images'; readonly images: Readonly<Record<number, string>> };

export type WebviewMessage =
  { readonly type: 'ready' } | { readonly type: 'export'; readonly format: 'json' | 'csv' };

export function isEvaluationPanelState(value: unknown): value is EvaluationPanelState {
  const report = (value as Partial<EvaluationPanelState> | undefined)?.report;
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.model === 'string' &&
    typeof report.summary === 'object' &&
    Array.isArray(report.classes) &&
    Array.isArray(report.confusion?.counts)
  );
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const message = value as Partial<WebviewMessage> | undefined;
  return (
    message?.type === 'ready' ||
    (message?.type === 'export' &&
      ((message as { format?: unknown }).format === 'json' ||
        (message as { format?: unknown }).format === 'csv'))
  );
}

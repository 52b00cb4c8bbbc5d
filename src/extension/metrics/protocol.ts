import type { MetricSeries, TrainingJobStatus } from '../../core/jobs/types';
import type { TargetKind } from '../../core/target';

/**
 * The messages between the metrics chart webview (media/metrics) and the extension host. No
 * 'vscode' here: the webview bundle imports these types too. Requests carry an id; the answer
 * repeats it so the webview can drop answers to requests it no longer waits for.
 */

/** What the webview keeps with setState and the serializer gets back after a reload. */
export interface MetricsPanelState {
  readonly target: TargetKind;
  readonly job: string;
}

export type HostMessage =
  | {
      readonly type: 'metrics';
      readonly requestId?: number;
      readonly target: TargetKind;
      readonly job: string;
      readonly status: TrainingJobStatus;
      readonly series: readonly MetricSeries[];
      readonly final: Readonly<Record<string, number>>;
      /** ISO time of the load. */
      readonly loadedAt: string;
      /** True while the host reloads by itself (the job is still running). */
      readonly following: boolean;
    }
  | { readonly type: 'loading'; readonly target: TargetKind; readonly job: string }
  | { readonly type: 'error'; readonly requestId?: number; readonly message: string };

export type WebviewMessage =
  { readonly type: 'ready' } | { readonly type: 'refresh'; readonly requestId: number };

export function isMetricsPanelState(value: unknown): value is MetricsPanelState {
  const state = value as Partial<MetricsPanelState> | undefined;
  return (
    typeof state?.job === 'string' &&
    state.job.length > 0 &&
    (state.target === 'local' || state.target === 'sagemaker')
  );
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const message = value as Partial<WebviewMessage> | undefined;
  return (
    message?.type === 'ready' ||
    (message?.type === 'refresh' &&
      typeof (message as { requestId?: unknown }).requestId === 'number')
  );
}

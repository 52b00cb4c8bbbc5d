import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { isTrainingJobActive } from '../../core/jobs';
import type { TargetKind } from '../../core/target';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import {
  isMetricsPanelState,
  isWebviewMessage,
  type HostMessage,
  type MetricsPanelState,
} from './protocol';
import { webviewHtml } from '../webviewHtml';

export const METRICS_VIEW_TYPE = 'tfod.metrics';
/** How often an open chart of a running job reloads. */
const FOLLOW_INTERVAL_MS = 30_000;

const panels = new Map<string, MetricsPanel>();

/** Opens (or reveals) the chart of a job's loss and eval metrics over steps. */
export function showMetricsPanel(ctx: TfodContext, target: TargetKind, job: string): void {
  const key = `${target}/${job}`;
  const open = panels.get(key);
  if (open) {
    open.panel.reveal();
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    METRICS_VIEW_TYPE,
    `Metrics: ${job}`,
    vscode.ViewColumn.Active,
    webviewOptions(ctx),
  );
  new MetricsPanel(ctx, panel, { target, job });
}

/** Restores the charts that were open when the window reloaded. */
export function registerMetricsPanel(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(METRICS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        if (!isMetricsPanelState(state)) {
          panel.dispose();
          return;
        }
        panel.webview.options = webviewOptions(ctx);
        new MetricsPanel(ctx, panel, state);
      },
    }),
  );
}

function webviewOptions(ctx: TfodContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media')],
  };
}

class MetricsPanel {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: AbortController | undefined;
  private readonly key: string;

  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    private readonly state: MetricsPanelState,
  ) {
    this.key = `${state.target}/${state.job}`;
    panels.set(this.key, this);
    panel.title = vscode.l10n.t('Metrics: {0}', state.job);
    panel.webview.html = this.html();
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewMessage(message)) return;
      void this.load(message.type === 'refresh' ? message.requestId : undefined);
    });
    panel.onDidDispose(() => this.dispose());
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async load(requestId?: number): Promise<void> {
    clearTimeout(this.timer);
    this.loading?.abort();
    const controller = (this.loading = new AbortController());
    const { target: kind, job } = this.state;
    this.post({ type: 'loading', target: kind, job });
    try {
      const target = targets(this.ctx).require(kind);
      const [metrics, details] = await Promise.all([
        target.metrics(job, controller.signal),
        target.describeTrainingJob(job, controller.signal),
      ]);
      if (controller.signal.aborted) return;
      const following = isTrainingJobActive(details.status);
      this.post({
        type: 'metrics',
        ...(requestId !== undefined ? { requestId } : {}),
        target: kind,
        job,
        status: details.status,
        series: metrics.series,
        final: metrics.final,
        loadedAt: new Date().toISOString(),
        following,
      });
      if (following) this.timer = setTimeout(() => void this.load(), FOLLOW_INTERVAL_MS);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.ctx.log.warn(`metrics of ${job}: ${errorMessage(error)}`);
      this.post({
        type: 'error',
        ...(requestId !== undefined ? { requestId } : {}),
        message: errorMessage(error),
      });
    }
  }

  private html(): string {
    return webviewHtml(
      this.panel.webview,
      this.ctx.extension.extensionUri,
      'metrics',
      vscode.l10n.t('Training metrics'),
    );
  }

  private dispose(): void {
    clearTimeout(this.timer);
    this.loading?.abort();
    panels.delete(this.key);
  }
}

import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { readGalleryImages } from '../../core/evaluation/galleryImages';
import { reportCsv, reportJson, type EvaluationReport } from '../../core/evaluation/report';
import type { TfodContext } from '../context';
import { webviewHtml } from '../webviewHtml';
import {
  isEvaluationPanelState,
  isWebviewMessage,
  type EvaluationPanelState,
  type HostMessage,
} from './protocol';

export const EVALUATION_VIEW_TYPE = 'tfod.evaluation';

/** Opens a report panel for one evaluation (each evaluation its own panel, to compare them). */
export function showEvaluationReport(ctx: TfodContext, report: EvaluationReport): void {
  const panel = vscode.window.createWebviewPanel(
    EVALUATION_VIEW_TYPE,
    title(report),
    vscode.ViewColumn.Active,
    webviewOptions(ctx),
  );
  new EvaluationPanel(ctx, panel, { report });
}

/** Restores the reports that were open when the window reloaded, from the webview's state. */
export function registerEvaluationPanel(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        if (!isEvaluationPanelState(state)) {
          panel.dispose();
          return;
        }
        panel.webview.options = webviewOptions(ctx);
        new EvaluationPanel(ctx, panel, state);
      },
    }),
  );
}

function title(report: EvaluationReport): string {
  return `Evaluation: ${basename(report.model)}`;
}

function webviewOptions(ctx: TfodContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media')],
  };
}

class EvaluationPanel {
  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    private readonly state: EvaluationPanelState,
  ) {
    panel.title = title(state.report);
    panel.webview.html = webviewHtml(
      panel.webview,
      ctx.extension.extensionUri,
      'evaluation',
      'Model evaluation',
    );
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewMessage(message)) return;
      if (message.type === 'ready') {
        this.post({ type: 'report', report: this.state.report });
        void this.sendImages();
      } else void this.export(message.format);
    });
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  /** The gallery's images, read back from the records (they are not kept in the report). */
  private async sendImages(): Promise<void> {
    try {
      const images = await readGalleryImages(this.state.report.gallery);
      this.post({ type: 'images', images });
    } catch (error) {
      this.ctx.log.warn(`evaluation gallery: ${errorMessage(error)}`);
    }
  }

  /** Writes the report where the user says, as JSON (what `tfod evaluate --json` prints) or CSV. */
  private async export(format: 'json' | 'csv'): Promise<void> {
    const { report } = this.state;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `evaluation-${basename(report.model).replace(/\.tar\.gz$/, '')}.${format}`;
    const target = await vscode.window.showSaveDialog({
      title: `Export the evaluation as ${format.toUpperCase()}`,
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    try {
      await writeFile(target.fsPath, format === 'json' ? reportJson(report) : reportCsv(report));
      this.ctx.log.info(`evaluation exported to ${target.fsPath}`);
    } catch (error) {
      this.ctx.log.warn(`cannot export the evaluation: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(
        `Cannot write ${target.fsPath}: ${errorMessage(error)}. Choose another place.`,
      );
    }
  }
}

import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { compareReports, comparisonCsv } from '../../core/evaluation/compare';
import { readGalleryImages } from '../../core/evaluation/galleryImages';
import { reportCsv, reportJson, type EvaluationReport } from '../../core/evaluation/report';
import { readReportFile } from '../../core/evaluation/reportFile';
import type { TfodContext } from '../context';
import { webviewHtml } from '../webviewHtml';
import {
  isEvaluationPanelState,
  isWebviewMessage,
  type EvaluationPanelState,
  type HostMessage,
} from './protocol';

export const EVALUATION_VIEW_TYPE = 'tfod.evaluation';

/** The report panels open in this window: what Compare with… offers besides a JSON file. */
const openPanels = new Set<EvaluationPanel>();

/** Opens a report panel for one evaluation (each evaluation its own panel, to compare them). */
export function showEvaluationReport(ctx: TfodContext, report: EvaluationReport): void {
  const panel = vscode.window.createWebviewPanel(
    EVALUATION_VIEW_TYPE,
    title({ report }),
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

function title(state: EvaluationPanelState): string {
  const name = (report: EvaluationReport) => basename(report.model);
  return state.other
    ? vscode.l10n.t('Evaluation: {0} vs {1}', name(state.report), name(state.other))
    : vscode.l10n.t('Evaluation: {0}', name(state.report));
}

/** A file name from the model's, for the save dialog. */
function fileStem(report: EvaluationReport): string {
  return basename(report.model).replace(/\.tar\.gz$/, '');
}

function webviewOptions(ctx: TfodContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media')],
  };
}

class EvaluationPanel {
  /** Closed while a quick pick, dialog or read was open: nothing more to show. */
  private disposed = false;

  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    private state: EvaluationPanelState,
  ) {
    panel.title = title(state);
    panel.webview.html = webviewHtml(
      panel.webview,
      ctx.extension.extensionUri,
      'evaluation',
      vscode.l10n.t('Model evaluation'),
    );
    openPanels.add(this);
    panel.onDidDispose(() => {
      openPanels.delete(this);
      this.disposed = true;
    });
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewMessage(message)) return;
      switch (message.type) {
        case 'ready':
          this.postReport();
          void this.sendImages();
          break;
        case 'export':
          void this.export(message.format);
          break;
        case 'compare':
          void this.chooseOther();
          break;
        case 'stopComparing':
          this.compareWith(undefined);
          break;
        case 'exportComparison':
          void this.exportComparison();
      }
    });
  }

  get report(): EvaluationReport {
    return this.state.report;
  }

  private post(message: HostMessage): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  /** The report and, while comparing, the other one; the webview keeps both in its state. */
  private postReport(): void {
    this.post({ type: 'report', ...this.state });
  }

  private compareWith(other: EvaluationReport | undefined): void {
    if (this.disposed) return;
    this.state = other ? { report: this.state.report, other } : { report: this.state.report };
    this.panel.title = title(this.state);
    this.postReport();
  }

  /** Compare with…: another open report, or an evaluation's JSON (Export JSON, `tfod evaluate --json`). */
  private async chooseOther(): Promise<void> {
    type Item = vscode.QuickPickItem & { readonly report?: EvaluationReport };
    const fromFile: Item = {
      label: vscode.l10n.t('$(file) From a JSON file…'),
      detail: vscode.l10n.t('A report exported as JSON, or what tfod evaluate --json printed'),
    };
    const items: Item[] = [...openPanels]
      .filter((other) => other !== this)
      .map((other) => ({
        label: basename(other.report.model),
        description: vscode.l10n.t(
          'AP {0} · {1} images',
          other.report.summary.AP.toFixed(3),
          other.report.images,
        ),
        detail: `${other.report.model} · ${new Date(other.report.createdAt).toLocaleString()}`,
        report: other.report,
      }));
    const picked = await vscode.window.showQuickPick([...items, fromFile], {
      title: vscode.l10n.t('Compare {0} (A) with… (B)', basename(this.state.report.model)),
      placeHolder: items.length
        ? vscode.l10n.t('An evaluation open in this window, or one from a JSON file')
        : vscode.l10n.t('No other evaluation is open: choose a JSON file'),
      matchOnDetail: true,
    });
    if (!picked) return;
    if (picked.report) return this.compareWith(picked.report);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const files = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('An evaluation as JSON (Export JSON, or tfod evaluate --json > FILE)'),
      openLabel: vscode.l10n.t('Compare'),
      filters: { JSON: ['json'] },
      ...(folder ? { defaultUri: folder } : {}),
    });
    const file = files?.[0];
    if (!file) return;
    try {
      this.compareWith(await readReportFile(file.fsPath));
    } catch (error) {
      this.ctx.log.warn(`cannot compare with ${file.fsPath}: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(errorMessage(error));
    }
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
    await this.save(
      `evaluation-${fileStem(report)}.${format}`,
      vscode.l10n.t('Export the evaluation as {0}', format.toUpperCase()),
      format,
      () => (format === 'json' ? reportJson(report) : reportCsv(report)),
    );
  }

  private async exportComparison(): Promise<void> {
    const { report, other } = this.state;
    if (!other) return;
    await this.save(
      `comparison-${fileStem(report)}-${fileStem(other)}.csv`,
      vscode.l10n.t('Export the comparison as CSV'),
      'csv',
      () => comparisonCsv(compareReports(report, other)),
    );
  }

  private async save(
    name: string,
    dialogTitle: string,
    format: 'json' | 'csv',
    text: () => string,
  ): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: dialogTitle,
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    try {
      await writeFile(target.fsPath, text());
      this.ctx.log.info(`evaluation exported to ${target.fsPath}`);
    } catch (error) {
      this.ctx.log.warn(`cannot export the evaluation: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Cannot write {0}: {1}. Choose another place.',
          target.fsPath,
          errorMessage(error),
        ),
      );
    }
  }
}

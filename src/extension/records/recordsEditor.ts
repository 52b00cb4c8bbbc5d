import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import {
  findRecordLabels,
  readRecordPage,
  TfRecordReader,
  type RecordLabels,
  type RecordSpan,
} from '../../core/records';
import type { TfodContext } from '../context';
import { webviewHtml } from '../webviewHtml';
import { isWebviewMessage, RECORDS_PAGE_SIZE, type HostMessage } from './protocol';

export const RECORDS_VIEW_TYPE = 'tfod.records';

/**
 * The TFRecord viewer: a read-only custom editor for *.record, *.tfrecord and sharded
 * *.record-*-of-* files. On open it finds each record's offset from the 12-byte headers alone,
 * then reads only the page shown (images with their boxes and class names from the label map the
 * validator would find, and each record's problems).
 */
export function registerRecordsEditor(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerCustomEditorProvider(RECORDS_VIEW_TYPE, new RecordsEditorProvider(ctx), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
}

class RecordsEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly ctx: TfodContext) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'media')],
    };
    panel.webview.html = webviewHtml(
      panel.webview,
      this.ctx.extension.extensionUri,
      'records',
      vscode.l10n.t('TFRecord viewer'),
    );
    const view = new RecordsView(this.ctx, document.uri.fsPath, panel);
    panel.onDidDispose(() => void view.dispose());
  }
}

class RecordsView {
  private reader:
    Promise<{ reader: TfRecordReader; spans: RecordSpan[]; labels: RecordLabels }> | undefined;
  private disposed = false;

  constructor(
    private readonly ctx: TfodContext,
    private readonly file: string,
    private readonly panel: vscode.WebviewPanel,
  ) {
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewMessage(message)) return;
      if (message.type === 'ready') void this.summary();
      else void this.page(message.requestId, message.from);
    });
  }

  private post(message: HostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Opens the file once and finds every record's offset (headers only). */
  private open() {
    this.reader ??= (async () => {
      const reader = await TfRecordReader.open(this.file);
      const spans: RecordSpan[] = [];
      const problems: string[] = [];
      for await (const item of reader.scan()) {
        if (this.disposed) break;
        if ('problem' in item) problems.push(item.problem.message);
        else spans.push(item);
      }
      const roots = vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath) ?? [];
      const labels = findRecordLabels([this.file], roots.length ? { roots } : {});
      this.post({
        type: 'summary',
        file: vscode.workspace.asRelativePath(this.file),
        records: spans.length,
        problems,
        ...(labels.labelMap
          ? {
              labelMap: `${vscode.workspace.asRelativePath(labels.labelMap.path)} (${labels.how ?? ''})`,
            }
          : {}),
      });
      return { reader, spans, labels };
    })();
    return this.reader;
  }

  private async summary(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      this.fail(error);
    }
  }

  private async page(requestId: number, from: number): Promise<void> {
    try {
      const { reader, spans, labels } = await this.open();
      const items = await readRecordPage(reader, spans, from, RECORDS_PAGE_SIZE, labels);
      this.post({ type: 'page', requestId, from, items });
    } catch (error) {
      this.fail(error, requestId);
    }
  }

  private fail(error: unknown, requestId?: number): void {
    this.ctx.log.warn(`TFRecord viewer, ${this.file}: ${errorMessage(error)}`);
    this.post({
      type: 'error',
      ...(requestId !== undefined ? { requestId } : {}),
      message: errorMessage(error),
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const opened = await this.reader?.catch(() => undefined);
    await opened?.reader.close();
  }
}

import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage, isUserError } from '../../core/errors';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import {
  DEFAULT_PREVIEW_THRESHOLD,
  isPreviewPanelState,
  isWebviewMessage,
  type HostMessage,
  type PreviewPanelState,
  type PreviewSource,
  type WebviewMessage,
} from '../../core/preview/protocol';
import {
  decodeForPreview,
  labelMapNames,
  loadInProcessModel,
  sagemakerSource,
  urlSource,
  type InProcessModel,
  type PredictionSource,
} from '../../core/preview/sources';
import { webviewHtml } from '../webviewHtml';

export const PREVIEW_VIEW_TYPE = 'tfod.preview';

let current: PreviewPanel | undefined;

/**
 * Opens the preview (or reuses the open one): `source` replaces the panel's source when given,
 * `images` are added to it.
 */
export function showPreviewPanel(
  ctx: TfodContext,
  options: { source?: PreviewSource; images?: readonly string[] },
): void {
  if (current) {
    current.panel.reveal();
    current.update(options);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    PREVIEW_VIEW_TYPE,
    'Detection Preview',
    vscode.ViewColumn.Active,
    webviewOptions(ctx),
  );
  current = new PreviewPanel(ctx, panel, {
    ...(options.source ? { source: options.source } : {}),
    images: [...(options.images ?? [])],
    threshold: DEFAULT_PREVIEW_THRESHOLD,
    hidden: [],
  });
}

/** The source of the open preview, which a new image joins unless another source is named. */
export function currentPreviewSource(): PreviewSource | undefined {
  return current?.source;
}

/** Restores the preview that was open when the window reloaded. */
export function registerPreviewPanel(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        panel.webview.options = webviewOptions(ctx);
        current = new PreviewPanel(
          ctx,
          panel,
          isPreviewPanelState(state)
            ? state
            : { images: [], threshold: DEFAULT_PREVIEW_THRESHOLD, hidden: [] },
        );
      },
    }),
  );
}

function webviewOptions(ctx: TfodContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media')],
  };
}

/** Asks the user for a source: a model folder, a model.tar.gz, a local URL or a SageMaker endpoint. */
export async function pickPreviewSource(ctx: TfodContext): Promise<PreviewSource | undefined> {
  const models = await vscode.workspace.findFiles('**/model.json', '**/node_modules/**', 20);
  const archives = await vscode.workspace.findFiles('**/model.tar.gz', '**/node_modules/**', 20);
  type Item = vscode.QuickPickItem & { run: () => Promise<PreviewSource | undefined> };
  const rel = (uri: vscode.Uri) => vscode.workspace.asRelativePath(uri);
  const items: Item[] = [
    ...models.map((uri) => ({
      label: `$(folder) ${rel(vscode.Uri.file(dirname(uri.fsPath)))}`,
      description: 'model folder, run here (no server)',
      run: async (): Promise<PreviewSource> => ({ kind: 'model', path: dirname(uri.fsPath) }),
    })),
    ...archives.map((uri) => ({
      label: `$(package) ${rel(uri)}`,
      description: 'model.tar.gz, run here (no server)',
      run: async (): Promise<PreviewSource> => ({ kind: 'model', path: uri.fsPath }),
    })),
    {
      label: '$(folder-opened) Model folder or model.tar.gz…',
      description: 'run here (no server)',
      run: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: true,
          canSelectFolders: true,
          title: 'Model folder (model.json) or model.tar.gz',
          filters: { 'Model archive': ['gz', 'tgz'] },
        });
        return picked?.[0] ? { kind: 'model', path: picked[0].fsPath } : undefined;
      },
    },
    {
      label: '$(globe) Local endpoint URL…',
      description: 'POST <url>/invocations',
      run: async () => {
        const url = await vscode.window.showInputBox({
          title: 'Local endpoint URL',
          value: 'http://127.0.0.1:8080',
          validateInput: (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An http:// URL'),
        });
        return url ? { kind: 'url', url } : undefined;
      },
    },
    {
      label: '$(cloud) SageMaker endpoint…',
      description: 'InvokeEndpoint with your AWS profile',
      run: async () => {
        const endpoints = await targets(ctx).require('sagemaker').listEndpoints();
        const picked = await vscode.window.showQuickPick(
          endpoints.map((e) => ({ label: e.name, description: e.status })),
          { title: 'SageMaker endpoint' },
        );
        return picked ? { kind: 'sagemaker', endpoint: picked.label } : undefined;
      },
    },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: 'Detection Preview: source of predictions',
    placeHolder: 'A model to run here, or an endpoint',
  });
  return choice?.run();
}

export function describeSource(source: PreviewSource | undefined): string {
  if (!source) return 'No source chosen';
  if (source.kind === 'model') return `Model ${source.path} (in-process)`;
  if (source.kind === 'url') return `Local endpoint ${source.url}`;
  return `SageMaker endpoint ${source.endpoint}`;
}

class PreviewPanel {
  private state: PreviewPanelState;
  private model: { path: string; loaded: Promise<InProcessModel> } | undefined;
  private running = new AbortController();
  private labels: { names?: Map<number, string>; note: string } = { note: '' };

  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    state: PreviewPanelState,
  ) {
    this.state = state;
    panel.title = 'Detection Preview';
    panel.webview.html = this.html();
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isWebviewMessage(message)) void this.handle(message);
    });
    panel.onDidDispose(() => this.dispose());
  }

  get source(): PreviewSource | undefined {
    return this.state.source;
  }

  update(options: { source?: PreviewSource; images?: readonly string[] }): void {
    const images = [...this.state.images];
    for (const image of options.images ?? []) if (!images.includes(image)) images.push(image);
    this.state = { ...this.state, ...(options.source ? { source: options.source } : {}), images };
    void this.runAll(options.source ? undefined : options.images);
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          return await this.runAll();
        case 'view':
          this.state = { ...this.state, threshold: message.threshold, hidden: [...message.hidden] };
          return;
        case 'rerun':
          return await this.runAll(undefined, message.requestId);
        case 'chooseSource': {
          const source = await pickPreviewSource(this.ctx);
          if (source) this.update({ source });
          return;
        }
        case 'addImages': {
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: true,
            title: 'Images to preview',
            filters: { Images: ['png', 'jpg', 'jpeg'] },
          });
          if (picked?.length) this.update({ images: picked.map((u) => u.fsPath) });
          return;
        }
        case 'removeImage':
          this.state = {
            ...this.state,
            images: this.state.images.filter((p) => p !== message.path),
          };
          this.sendSession();
          return;
        case 'export':
          return await this.export(message.requestId, message.path, message.dataUrl);
      }
    } catch (error) {
      this.postError(error, undefined, 'requestId' in message ? message.requestId : undefined);
    }
  }

  private postError(error: unknown, path?: string, requestId?: number): void {
    if (!isUserError(error)) this.ctx.log.error('detection preview', error);
    else this.ctx.log.warn(`detection preview: ${error.toLine()}`);
    this.post({
      type: 'error',
      ...(requestId !== undefined ? { requestId } : {}),
      ...(path ? { path } : {}),
      message: errorMessage(error),
      ...(isUserError(error) && error.fix ? { fix: error.fix } : {}),
    });
  }

  private sendSession(): void {
    const { source, images, threshold, hidden } = this.state;
    this.post({
      type: 'session',
      ...(source ? { source } : {}),
      sourceLabel: describeSource(source),
      images,
      labels: [...(this.labels.names ?? new Map<number, string>())],
      labelsNote: this.labels.note,
      threshold,
      hidden,
    });
  }

  /** Runs the source on `only` (default: every image) and sends each result as it comes. */
  private async runAll(only?: readonly string[], requestId?: number): Promise<void> {
    this.running.abort();
    const controller = (this.running = new AbortController());
    const { signal } = controller;
    let source: PredictionSource | undefined;
    try {
      source = await this.prepare();
    } catch (error) {
      if (signal.aborted) return;
      this.sendSession();
      this.postError(error, undefined, requestId);
      return;
    }
    this.sendSession();
    if (!source) return;
    for (const path of only ?? this.state.images) {
      if (signal.aborted) return;
      const name = basename(path);
      this.post({ type: 'pending', ...(requestId !== undefined ? { requestId } : {}), path, name });
      try {
        const bytes = await readFile(path);
        const image = decodeForPreview(bytes, name);
        const started = performance.now();
        const answer = await source(bytes, image, signal);
        const latencyMs = Math.round(performance.now() - started);
        if (signal.aborted) return;
        const mime = extname(path).toLowerCase() === '.png' ? 'image/png' : 'image/jpeg';
        this.post({
          type: 'result',
          ...(requestId !== undefined ? { requestId } : {}),
          result: {
            path,
            name,
            width: image.width,
            height: image.height,
            dataUrl: `data:${mime};base64,${bytes.toString('base64')}`,
            predictions: answer.predictions,
            latencyMs,
            raw: answer.raw,
            notes: answer.notes,
          },
        });
      } catch (error) {
        if (signal.aborted) return;
        this.postError(error, path, requestId);
      }
    }
  }

  /** The source's runner and the label names; loads (and caches) an in-process model. */
  private async prepare(): Promise<PredictionSource | undefined> {
    const { source } = this.state;
    let modelLabelMap: string | undefined;
    let run: PredictionSource | undefined;
    if (source?.kind === 'model') {
      if (this.model?.path !== source.path) {
        void this.model?.loaded.then(
          (m) => m.dispose(),
          () => undefined,
        );
        this.model = { path: source.path, loaded: loadInProcessModel(source.path) };
      }
      const model = this.model;
      const loaded = await model.loaded.catch((error: unknown) => {
        if (this.model === model) this.model = undefined;
        throw error;
      });
      modelLabelMap = loaded.detector.folder.labelMapPath;
      run = loaded.source;
    } else if (source?.kind === 'url') run = urlSource(source.url);
    else if (source?.kind === 'sagemaker')
      run = sagemakerSource(targets(this.ctx).require('sagemaker'), source.endpoint);
    this.labels = await this.findLabels(modelLabelMap);
    return run;
  }

  private async findLabels(
    modelLabelMap: string | undefined,
  ): Promise<{ names?: Map<number, string>; note: string }> {
    const candidates = modelLabelMap ? [modelLabelMap] : [];
    const found = await vscode.workspace.findFiles('**/*label_map*.pbtxt', '**/node_modules/**', 5);
    candidates.push(...found.map((u) => u.fsPath));
    for (const path of candidates) {
      const names = await labelMapNames(path).catch(() => undefined);
      if (names)
        return {
          names,
          note: `Class names from ${path === modelLabelMap ? "the model's" : 'the workspace'} label map ${vscode.workspace.asRelativePath(path)}`,
        };
    }
    return {
      note: 'No label map found: class ids are shown instead of names. Put label_map.pbtxt beside the model or in the workspace.',
    };
  }

  private async export(requestId: number, path: string, dataUrl: string): Promise<void> {
    const stem = basename(path, extname(path));
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(join(dirname(path), `${stem}-detections.png`)),
      filters: { PNG: ['png'] },
      title: 'Save annotated image',
    });
    if (!target) return;
    await writeFile(target.fsPath, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
    this.post({ type: 'exported', requestId, path: target.fsPath });
  }

  private html(): string {
    return webviewHtml(
      this.panel.webview,
      this.ctx.extension.extensionUri,
      'preview',
      'Detection Preview',
    );
  }

  private dispose(): void {
    this.running.abort();
    void this.model?.loaded.then(
      (m) => m.dispose(),
      () => undefined,
    );
    if (current === this) current = undefined;
  }
}

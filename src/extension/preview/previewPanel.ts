import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage, isUserError, UserError } from '../../core/errors';
import { pruneDroppedFiles, safeFileName, storeDroppedFile } from '../../core/preview/drop';
import { PanelStateFile, readPanelState } from '../../core/preview/stateFile';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import {
  DEFAULT_PREVIEW_THRESHOLD,
  isPreviewPanelState,
  isWebviewMessage,
  PREVIEW_IMAGE_NAME,
  type DroppedFile,
  type HostMessage,
  type PreviewImageResult,
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

/** The images of the open preview. */
export function currentPreviewImages(): readonly string[] {
  return current?.images ?? [];
}

/**
 * The path this extension host reads `uri` at, when it is a file here: `file:` URIs, and the
 * `vscode-remote:` URIs a remote window's workbench hands over (the extension host runs beside
 * those files).
 */
export function hostPath(uri: vscode.Uri): string | undefined {
  return uri.scheme === 'file' || uri.scheme === 'vscode-remote' ? uri.fsPath : undefined;
}

/** Dropped files older than this, and no longer shown, are removed from the extension's storage. */
const DROPPED_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** A folder dropped on the panel adds at most this many of its images. */
const MAX_IMAGES_PER_FOLDER = 50;

/** Restores the preview that was open when the window reloaded. */
export function registerPreviewPanel(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        panel.webview.options = webviewOptions(ctx);
        // The host's file is the newest (see stateFile.ts); the webview's state is the fallback.
        const saved = await readPanelState(stateFilePath(ctx));
        current = new PreviewPanel(
          ctx,
          panel,
          saved ??
            (isPreviewPanelState(state)
              ? state
              : { images: [], threshold: DEFAULT_PREVIEW_THRESHOLD, hidden: [] }),
        );
      },
    }),
  );
}

/** Where the host keeps the preview's state: per workspace, else for the whole installation. */
function stateFilePath(ctx: TfodContext): string {
  const folder = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
  return join(folder.fsPath, 'preview-state.json');
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

/** The images directly in `folder`, by name, at most MAX_IMAGES_PER_FOLDER. */
async function imagesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && PREVIEW_IMAGE_NAME.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b))
    .slice(0, MAX_IMAGES_PER_FOLDER)
    .map((name) => join(folder, name));
}

class PreviewPanel {
  private state: PreviewPanelState;
  private model: { path: string; loaded: Promise<InProcessModel> } | undefined;
  private running = new AbortController();
  private labels: { names?: Map<number, string>; note: string } = { note: '' };
  private readonly stateFile: PanelStateFile;
  /** The last answer for each image: its source, its bytes' digest, the result less the picture. */
  private readonly answers = new Map<
    string,
    { source: string; digest: string; result: Omit<PreviewImageResult, 'dataUrl'> }
  >();

  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    state: PreviewPanelState,
  ) {
    this.stateFile = new PanelStateFile(stateFilePath(ctx), (error) =>
      ctx.log.warn(`detection preview: cannot save its state: ${errorMessage(error)}`),
    );
    this.state = state;
    this.stateFile.save(state);
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

  get images(): readonly string[] {
    return this.state.images;
  }

  /**
   * Changes the source and/or adds images, then runs what changed. `problem` (e.g. dropped files
   * that were refused) is shown once the panel has the new session.
   */
  update(options: { source?: PreviewSource; images?: readonly string[] }, problem?: unknown): void {
    const images = [...this.state.images];
    for (const image of options.images ?? []) if (!images.includes(image)) images.push(image);
    this.setState({ ...this.state, ...(options.source ? { source: options.source } : {}), images });
    void this.runAll(options.source ? undefined : options.images, undefined, problem);
  }

  private setState(state: PreviewPanelState): void {
    this.state = state;
    this.stateFile.save(state);
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
          this.setState({
            ...this.state,
            threshold: message.threshold,
            hidden: [...message.hidden],
          });
          return;
        case 'rerun':
          return await this.runAll(undefined, message.requestId, undefined, true);
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
          this.answers.delete(message.path);
          this.setState({
            ...this.state,
            images: this.state.images.filter((p) => p !== message.path),
          });
          this.sendSession();
          return;
        case 'export':
          return await this.export(message.requestId, message.path, message.dataUrl);
        case 'dropUris':
          return await this.dropped(message.requestId, () => this.fromUris(message.uris));
        case 'dropFiles':
          return await this.dropped(message.requestId, () => this.fromFiles(message.files));
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

  /**
   * Adds what was dropped: `collect` gives the image paths and the refusals (each a line saying
   * which item and why). Refusals are shown once, after the images that were taken.
   */
  private async dropped(
    requestId: number,
    collect: () => Promise<{ paths: string[]; refused: string[] }>,
  ): Promise<void> {
    const { paths, refused } = await collect();
    const problem =
      refused.length > 0
        ? new UserError(
            refused.length === 1
              ? `Not added: ${refused[0]}`
              : `${refused.length} dropped items were not added: ${refused.join('; ')}`,
            'Drop PNG or JPEG files, or folders that hold some',
          )
        : undefined;
    if (paths.length > 0) this.update({ images: paths }, problem);
    else if (problem) this.postError(problem, undefined, requestId);
    void pruneDroppedFiles(this.dropRoot(), this.state.images, DROPPED_MAX_AGE_MS);
  }

  /** Resources dropped from the Explorer (or anything giving a URI list): images and folders. */
  private async fromUris(uris: readonly string[]): Promise<{ paths: string[]; refused: string[] }> {
    const paths: string[] = [];
    const refused: string[] = [];
    for (const text of uris) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(text, true);
      } catch {
        refused.push(`${text} is not a URI`);
        continue;
      }
      const name = basename(uri.path) || text;
      const path = hostPath(uri);
      try {
        if (path) {
          const info = await stat(path).catch(() => undefined);
          if (!info) refused.push(`${path} does not exist on the machine the extension runs on`);
          else if (info.isDirectory()) {
            const found = await imagesIn(path);
            if (found.length === 0) refused.push(`the folder ${name} has no PNG or JPEG images`);
            paths.push(...found);
          } else if (PREVIEW_IMAGE_NAME.test(path)) paths.push(path);
          else refused.push(`${name} is not a PNG or JPEG image`);
        } else if (PREVIEW_IMAGE_NAME.test(name)) {
          // Not a file here (e.g. another file system provider): keep a copy of its bytes.
          const bytes = await vscode.workspace.fs.readFile(uri);
          paths.push(await storeDroppedFile(this.dropRoot(), name, bytes));
        } else refused.push(`${name} is not a PNG or JPEG image`);
      } catch (error) {
        refused.push(isUserError(error) ? error.message : `${name}: ${errorMessage(error)}`);
      }
    }
    return { paths, refused };
  }

  /** Files dropped from the desktop: their bytes are stored, since they may exist nowhere here. */
  private async fromFiles(
    files: readonly DroppedFile[],
  ): Promise<{ paths: string[]; refused: string[] }> {
    const paths: string[] = [];
    const refused: string[] = [];
    for (const file of files) {
      try {
        const bytes = Buffer.from(file.base64, 'base64');
        paths.push(await storeDroppedFile(this.dropRoot(), file.name, bytes));
      } catch (error) {
        refused.push(
          isUserError(error) ? error.message : `${safeFileName(file.name)}: ${errorMessage(error)}`,
        );
      }
    }
    return { paths, refused };
  }

  private dropRoot(): string {
    return join(this.ctx.extension.globalStorageUri.fsPath, 'preview-drops');
  }

  /**
   * Runs the source on `only` (default: every image) and sends each result as it comes. An image
   * already answered by the same source, whose bytes have not changed, is answered again from
   * memory (the webview forgets its results when hidden and asks again when shown), unless
   * `fresh` (Run again).
   */
  private async runAll(
    only?: readonly string[],
    requestId?: number,
    problem?: unknown,
    fresh = false,
  ): Promise<void> {
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
      if (problem) this.postError(problem, undefined, requestId);
      return;
    }
    this.sendSession();
    if (problem) this.postError(problem, undefined, requestId);
    if (!source) return;
    const sourceKey = JSON.stringify(this.state.source);
    for (const path of only ?? this.state.images) {
      if (signal.aborted) return;
      const name = basename(path);
      const answered = (result: Omit<PreviewImageResult, 'dataUrl'>, bytes: Buffer): void => {
        const mime = extname(path).toLowerCase() === '.png' ? 'image/png' : 'image/jpeg';
        this.post({
          type: 'result',
          ...(requestId !== undefined ? { requestId } : {}),
          result: { ...result, dataUrl: `data:${mime};base64,${bytes.toString('base64')}` },
        });
      };
      try {
        const bytes = await readFile(path);
        const digest = createHash('sha1').update(bytes).digest('hex');
        const cached = this.answers.get(path);
        if (!fresh && cached?.source === sourceKey && cached.digest === digest) {
          answered(cached.result, bytes);
          continue;
        }
        this.post({
          type: 'pending',
          ...(requestId !== undefined ? { requestId } : {}),
          path,
          name,
        });
        const image = decodeForPreview(bytes, name);
        const started = performance.now();
        const answer = await source(bytes, image, signal);
        const latencyMs = Math.round(performance.now() - started);
        if (signal.aborted) return;
        const result = {
          path,
          name,
          width: image.width,
          height: image.height,
          predictions: answer.predictions,
          latencyMs,
          raw: answer.raw,
          notes: answer.notes,
        };
        this.answers.set(path, { source: sourceKey, digest, result });
        answered(result, bytes);
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

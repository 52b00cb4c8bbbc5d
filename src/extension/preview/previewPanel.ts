import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage, isUserError, UserError } from '../../core/errors';
import {
  isInside,
  pruneDroppedFiles,
  resolveDroppedResources,
  safeFileName,
  touchDroppedFile,
  type DropOutcome,
  type DroppedResource,
} from '../../core/preview/drop';
import { readRecentSources, rememberSource, type RecentSource } from '../../core/preview/recent';
import { PanelStateFile, readPanelState } from '../../core/preview/stateFile';
import { PreviewRunner } from '../../core/preview/runner';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import {
  DEFAULT_PREVIEW_THRESHOLD,
  isPreviewPanelState,
  isWebviewMessage,
  type HostMessage,
  type LabelMapOffer,
  type PreviewPanelState,
  type PreviewSource,
  type WebviewMessage,
} from '../../core/preview/protocol';
import {
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
  options: { source?: PreviewSource; images?: readonly string[]; from?: string },
): void {
  if (options.source) rememberPreviewSource(ctx, options.source, options.from);
  if (current) {
    current.panel.reveal();
    current.update(options);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    PREVIEW_VIEW_TYPE,
    vscode.l10n.t('Detection Preview'),
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

/** Restores the preview that was open when the window reloaded. */
export function registerPreviewPanel(ctx: TfodContext): void {
  ctx.extension.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        panel.webview.options = webviewOptions(ctx);
        // The host's file is the newest (see stateFile.ts); the webview's state is the fallback.
        const file = stateFilePath(ctx);
        const saved = file ? await readPanelState(file) : undefined;
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

/**
 * Where the host keeps the preview's state: the workspace's storage. A window without a folder
 * has none of its own (global storage would be shared by every such window): the serializer's
 * state is all it keeps.
 */
function stateFilePath(ctx: TfodContext): string | undefined {
  return ctx.extension.storageUri && join(ctx.extension.storageUri.fsPath, 'preview-state.json');
}

/** Where dropped bytes are kept: the workspace's storage, else the global one. */
function dropRoot(ctx: TfodContext): string {
  const folder = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
  return join(folder.fsPath, 'preview-drops');
}

/**
 * How the host reaches a dropped URI, if it is inside the workspace: a path for files here, a
 * reader for other file systems. Anything else is refused without touching it, so the webview
 * cannot probe or read the disk through a drop.
 */
function droppedResource(text: string): DroppedResource {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(text, true);
  } catch {
    return { name: text };
  }
  const name = basename(uri.path) || text;
  const path = hostPath(uri);
  if (path) {
    const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((folder) => {
      const root = hostPath(folder.uri);
      return root !== undefined && isInside(root, path);
    });
    return inWorkspace ? { name, path } : { name };
  }
  if (!vscode.workspace.getWorkspaceFolder(uri)) return { name };
  return { name, read: async () => vscode.workspace.fs.readFile(uri) };
}

function webviewOptions(ctx: TfodContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media')],
  };
}

/** Where the preview's recent sources are kept (workspace state: paths and names, no secrets). */
const RECENT_SOURCES_KEY = 'tfod.preview.recentSources';

/** The sources the preview ran on lately in this workspace, newest first. */
export function recentPreviewSources(ctx: TfodContext): RecentSource[] {
  return readRecentSources(ctx.extension.workspaceState.get(RECENT_SOURCES_KEY));
}

/** Puts `source` first among the recent ones (`from`: the s3:// model a cached path came from). */
export function rememberPreviewSource(
  ctx: TfodContext,
  source: PreviewSource,
  from?: string,
): void {
  const recent = rememberSource(recentPreviewSources(ctx), { source, ...(from ? { from } : {}) });
  ctx.extension.workspaceState
    .update(RECENT_SOURCES_KEY, recent)
    .then(undefined, (error: unknown) =>
      ctx.log.warn(`detection preview: cannot remember its source: ${errorMessage(error)}`),
    );
}

type SourceItem = vscode.QuickPickItem & { run?: () => Promise<PreviewSource | undefined> };

/** A recent source as a pick item; undefined for a model that is no longer on disk. */
function recentItem(entry: RecentSource): SourceItem | undefined {
  const { source, from } = entry;
  const chosen = async () => source;
  if (source.kind === 'model') {
    if (!existsSync(source.path)) return undefined;
    const archive = /\.(tar\.gz|tgz)$/.test(source.path);
    return {
      label: `${archive ? '$(package)' : '$(folder)'} ${from ?? vscode.workspace.asRelativePath(source.path)}`,
      description: from
        ? vscode.l10n.t("a job's model, downloaded, run here (no server)")
        : archive
          ? vscode.l10n.t('model.tar.gz, run here (no server)')
          : vscode.l10n.t('model folder, run here (no server)'),
      run: chosen,
    };
  }
  if (source.kind === 'url')
    return {
      label: `$(globe) ${source.url}`,
      description: vscode.l10n.t('local endpoint'),
      run: chosen,
    };
  return {
    label: `$(cloud) ${source.endpoint}`,
    description: vscode.l10n.t('SageMaker endpoint'),
    run: chosen,
  };
}

/**
 * Asks the user for a source: the ones used lately first, then the models in the workspace, then
 * a model folder or model.tar.gz, a local URL or a SageMaker endpoint.
 */
export async function pickPreviewSource(ctx: TfodContext): Promise<PreviewSource | undefined> {
  const models = await vscode.workspace.findFiles('**/model.json', '**/node_modules/**', 20);
  const archives = await vscode.workspace.findFiles('**/model.tar.gz', '**/node_modules/**', 20);
  const recent = recentPreviewSources(ctx).flatMap((entry) => {
    const item = recentItem(entry);
    return item ? [{ entry, item }] : [];
  });
  const isRecent = (path: string) =>
    recent.some(({ entry }) => entry.source.kind === 'model' && entry.source.path === path);
  const rel = (uri: vscode.Uri) => vscode.workspace.asRelativePath(uri);
  const found: SourceItem[] = [
    ...models
      .filter((uri) => !isRecent(dirname(uri.fsPath)))
      .map((uri) => ({
        label: `$(folder) ${rel(vscode.Uri.file(dirname(uri.fsPath)))}`,
        description: vscode.l10n.t('model folder, run here (no server)'),
        run: async (): Promise<PreviewSource> => ({ kind: 'model', path: dirname(uri.fsPath) }),
      })),
    ...archives
      .filter((uri) => !isRecent(uri.fsPath))
      .map((uri) => ({
        label: `$(package) ${rel(uri)}`,
        description: vscode.l10n.t('model.tar.gz, run here (no server)'),
        run: async (): Promise<PreviewSource> => ({ kind: 'model', path: uri.fsPath }),
      })),
  ];
  const separator = (label: string): SourceItem => ({
    label,
    kind: vscode.QuickPickItemKind.Separator,
  });
  const items: SourceItem[] = [
    ...(recent.length > 0
      ? [separator(vscode.l10n.t('recently used')), ...recent.map(({ item }) => item)]
      : []),
    ...(found.length > 0 ? [separator(vscode.l10n.t('in the workspace')), ...found] : []),
    separator(vscode.l10n.t('other sources')),
    {
      label: vscode.l10n.t('$(folder-opened) Model folder or model.tar.gz…'),
      description: vscode.l10n.t('run here (no server)'),
      run: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: true,
          canSelectFolders: true,
          title: vscode.l10n.t('Model folder (model.json) or model.tar.gz'),
          filters: { [vscode.l10n.t('Model archive')]: ['gz', 'tgz'] },
        });
        return picked?.[0] ? { kind: 'model', path: picked[0].fsPath } : undefined;
      },
    },
    {
      label: vscode.l10n.t('$(globe) Local endpoint URL…'),
      description: vscode.l10n.t('POST <url>/invocations'),
      run: async () => {
        const url = await vscode.window.showInputBox({
          title: vscode.l10n.t('Local endpoint URL'),
          value: 'http://127.0.0.1:8080',
          validateInput: (v) =>
            /^https?:\/\/\S+$/.test(v) ? undefined : vscode.l10n.t('An http:// URL'),
        });
        return url ? { kind: 'url', url } : undefined;
      },
    },
    {
      label: vscode.l10n.t('$(cloud) SageMaker endpoint…'),
      description: vscode.l10n.t('InvokeEndpoint with your AWS profile'),
      run: async () => {
        const endpoints = await targets(ctx).require('sagemaker').listEndpoints();
        const picked = await vscode.window.showQuickPick(
          endpoints.map((e) => ({ label: e.name, description: e.status })),
          { title: vscode.l10n.t('SageMaker endpoint') },
        );
        return picked ? { kind: 'sagemaker', endpoint: picked.label } : undefined;
      },
    },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Detection Preview: source of predictions'),
    placeHolder: vscode.l10n.t('A model to run here, or an endpoint'),
    matchOnDescription: true,
  });
  return choice?.run?.();
}

export function describeSource(source: PreviewSource | undefined): string {
  if (!source) return vscode.l10n.t('No source chosen');
  if (source.kind === 'model') return vscode.l10n.t('Model {0} (in-process)', source.path);
  if (source.kind === 'url') return vscode.l10n.t('Local endpoint {0}', source.url);
  return vscode.l10n.t('SageMaker endpoint {0}', source.endpoint);
}

/** Dropped items the panel did not take; the webview keeps these until the next drop. */
class DropRefused extends UserError {
  constructor(refused: readonly string[]) {
    super(
      refused.length === 1
        ? vscode.l10n.t('Not added: {0}', refused[0] ?? '')
        : vscode.l10n.t(
            '{0} dropped items were not added: {1}',
            refused.length,
            refused.join('; '),
          ),
      vscode.l10n.t('Drop PNG or JPEG files, or folders that hold some'),
    );
  }
}

class PreviewPanel {
  private state: PreviewPanelState;
  private model: { path: string; loaded: Promise<InProcessModel> } | undefined;
  /** The label maps on offer for the current source (the webview picks with chooseLabels). */
  private labelMaps: LabelMapOffer[] = [];
  private readonly stateFile: PanelStateFile | undefined;
  private readonly runner: PreviewRunner;
  private disposed = false;

  constructor(
    private readonly ctx: TfodContext,
    readonly panel: vscode.WebviewPanel,
    state: PreviewPanelState,
  ) {
    const file = stateFilePath(ctx);
    this.stateFile = file
      ? new PanelStateFile(file, (error) =>
          ctx.log.warn(`detection preview: cannot save its state: ${errorMessage(error)}`),
        )
      : undefined;
    this.state = state;
    this.stateFile?.save(state);
    this.runner = new PreviewRunner({
      prepare: () => this.prepare(),
      sourceKey: () => JSON.stringify(this.state.source ?? null),
      images: () => this.state.images,
      sendSession: () => this.sendSession(),
      post: (message) => this.post(message),
      postError: (error, path, requestId) => this.postError(error, path, requestId),
      onRead: (path) => void touchDroppedFile(dropRoot(ctx), path),
    });
    panel.title = vscode.l10n.t('Detection Preview');
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
   * Changes the source (every image runs again, asking the source anew) and/or adds images
   * (queued behind those waiting). `problem` (dropped items refused) is shown after the session.
   */
  update(options: { source?: PreviewSource; images?: readonly string[] }, problem?: unknown): void {
    if (this.disposed) return;
    const images = [...this.state.images];
    const added = (options.images ?? []).filter((image) => !images.includes(image));
    images.push(...added);
    this.setState({ ...this.state, ...(options.source ? { source: options.source } : {}), images });
    if (options.source) void this.runner.restart({ problem, fresh: true });
    else this.runner.add(options.images ?? [], problem);
  }

  private setState(state: PreviewPanelState): void {
    if (this.disposed) return;
    this.state = state;
    this.stateFile?.save(state);
  }

  private post(message: HostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          // A webview that (re)loaded: answers it had come back from memory.
          return await this.runner.restart();
        case 'view':
          this.setState({
            ...this.state,
            threshold: message.threshold,
            hidden: [...message.hidden],
          });
          return;
        case 'labels':
          this.setState({ ...this.state, labels: message.choice });
          this.sendSession();
          return;
        case 'chooseLabelFile':
          return await this.chooseLabelFile();
        case 'rerun':
          return await this.runner.restart({ requestId: message.requestId, fresh: true });
        case 'chooseSource': {
          const source = await pickPreviewSource(this.ctx);
          if (source) {
            rememberPreviewSource(this.ctx, source);
            this.update({ source });
          }
          return;
        }
        case 'addImages': {
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: true,
            title: vscode.l10n.t('Images to preview'),
            filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg'] },
          });
          if (picked?.length) this.update({ images: picked.map((u) => u.fsPath) });
          return;
        }
        case 'removeImage':
          this.runner.forget(message.path);
          this.setState({
            ...this.state,
            images: this.state.images.filter((p) => p !== message.path),
          });
          this.sendSession();
          return;
        case 'export':
          return await this.export(message.requestId, message.path, message.dataUrl);
        case 'dropUris':
          return this.dropped(
            message.requestId,
            await resolveDroppedResources(message.uris.map(droppedResource), dropRoot(this.ctx)),
          );
        case 'dropFile': {
          const { name, base64 } = message.file;
          return this.dropped(
            message.requestId,
            await resolveDroppedResources(
              [{ name: safeFileName(name), read: async () => Buffer.from(base64, 'base64') }],
              dropRoot(this.ctx),
            ),
          );
        }
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
      ...(error instanceof DropRefused ? { about: 'drop' as const } : {}),
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
      labelMaps: this.labelMaps,
      labelChoice: this.state.labels ?? 'auto',
      threshold,
      hidden,
    });
  }

  /** Adds the images a drop resolved to; says which items were refused, and why. */
  private dropped(requestId: number, outcome: DropOutcome): void {
    const { paths, refused } = outcome;
    const problem = refused.length > 0 ? new DropRefused(refused) : undefined;
    if (paths.length > 0) this.update({ images: paths }, problem);
    else if (problem) this.postError(problem, undefined, requestId);
    void pruneDroppedFiles(dropRoot(this.ctx), this.state.images, DROPPED_MAX_AGE_MS);
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
    this.labelMaps = await this.findLabelMaps(modelLabelMap);
    return run;
  }

  /**
   * The label maps on offer: the model's own, up to five in the workspace, and the file chosen in
   * Labels. Which one names the classes is the webview's call (chooseLabels), as results arrive.
   */
  private async findLabelMaps(modelLabelMap: string | undefined): Promise<LabelMapOffer[]> {
    const offers: LabelMapOffer[] = [];
    const offer = async (origin: LabelMapOffer['origin'], path: string) => {
      const names = await labelMapNames(path).catch((error: unknown) => {
        this.ctx.log.warn(`detection preview: label map ${path}: ${errorMessage(error)}`);
        return undefined;
      });
      if (names)
        offers.push({ origin, shown: vscode.workspace.asRelativePath(path), labels: [...names] });
    };
    if (modelLabelMap) await offer('model', modelLabelMap);
    const found = await vscode.workspace.findFiles('**/*label_map*.pbtxt', '**/node_modules/**', 5);
    for (const uri of found) if (uri.fsPath !== modelLabelMap) await offer('workspace', uri.fsPath);
    if (this.state.labelFile) await offer('file', this.state.labelFile);
    return offers;
  }

  /** Labels › A file…: a label map the user names, kept with the panel's state. */
  private async chooseLabelFile(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      title: vscode.l10n.t('Label map for the preview'),
      filters: { [vscode.l10n.t('Label map')]: ['pbtxt', 'txt'] },
    });
    const path = picked?.[0]?.fsPath;
    if (!path) return this.sendSession();
    const names = await labelMapNames(path);
    if (!names)
      throw new UserError(
        vscode.l10n.t('{0} names no classes', path),
        vscode.l10n.t('Choose a label map with item { id: 1 name: "..." } entries'),
      );
    this.labelMaps = [
      ...this.labelMaps.filter((o) => o.origin !== 'file'),
      { origin: 'file', shown: vscode.workspace.asRelativePath(path), labels: [...names] },
    ];
    this.setState({ ...this.state, labels: 'file', labelFile: path });
    this.sendSession();
  }

  private async export(requestId: number, path: string, dataUrl: string): Promise<void> {
    const stem = basename(path, extname(path));
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(join(dirname(path), `${stem}-detections.png`)),
      filters: { PNG: ['png'] },
      title: vscode.l10n.t('Save annotated image'),
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
      vscode.l10n.t('Detection Preview'),
    );
  }

  private dispose(): void {
    this.disposed = true;
    this.runner.dispose();
    void this.model?.loaded.then(
      (m) => m.dispose(),
      () => undefined,
    );
    if (current === this) current = undefined;
  }
}

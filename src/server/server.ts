import {
  DidChangeConfigurationNotification,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TFOD_VERSION } from '../core/version';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { LANGUAGE_CAPABILITIES, registerLanguageFeatures } from './languageFeatures';
import { uriToPath } from './uris';
import { ValidationService } from './validationService';

export const SERVER_NAME = 'tfod-language-server';

/** Waiting time after a keystroke before validating, so that typing a word validates once. */
export const DEFAULT_DEBOUNCE_MS = 100;

/** What the client may pass in `initializationOptions`. */
export interface ServerOptions {
  /** Debounce of diagnostics after an edit, in milliseconds. */
  debounceMs?: number;
  /** A folder of the user's own .proto files (setting `tfod.validation.protoPath`). */
  protoPath?: string;
}

/**
 * Wires the language server's handlers onto a connection. Handlers stay thin: they turn LSP
 * params into calls to the pure language service (text-format engine and schema), which never
 * sees LSP or VS Code types.
 */
export function startLanguageServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);
  const openByPath = new Map<string, TextDocument>();
  const service = new ValidationService([], (path) => openByPath.get(path)?.getText());
  let scheduler = new DiagnosticsScheduler(publish, DEFAULT_DEBOUNCE_MS);
  let pullsConfiguration = false;

  function publish(uri: string): void {
    const document = documents.get(uri);
    if (!document) return;
    try {
      const diagnostics = service.diagnostics(document);
      // A newer edit arrived while validating: its own run will publish.
      if (documents.get(uri)?.version !== document.version) return;
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    } catch (error) {
      connection.console.error(
        `validating ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  /** Re-validates the open documents that read `path` (a label map they name, for example). */
  function revalidateDependents(path: string, except?: string): void {
    for (const uri of service.dependents(path)) {
      if (uri === except) continue;
      service.forget(uri);
      scheduler.schedule(uri);
    }
  }

  async function applyProtoPath(folder: string | undefined): Promise<void> {
    const errors = await service.useProtoFolder(folder?.trim() || undefined);
    if (errors.length > 0)
      void connection.window.showWarningMessage(
        `The protos in ${folder} have problems; validation uses what could be read. First: ${errors[0]}`,
      );
    for (const document of documents.all()) scheduler.schedule(document.uri, 0);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as ServerOptions;
    if (typeof options.debounceMs === 'number' && options.debounceMs >= 0)
      scheduler = new DiagnosticsScheduler(publish, options.debounceMs);
    const roots = (params.workspaceFolders ?? [])
      .map((f) => uriToPath(f.uri))
      .filter((p): p is string => p !== undefined);
    if (roots.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) roots.push(root);
    }
    service.setRoots(roots);
    if (options.protoPath) void applyProtoPath(options.protoPath);
    pullsConfiguration = params.capabilities.workspace?.configuration === true;
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
        },
        ...LANGUAGE_CAPABILITIES,
      },
      serverInfo: { name: SERVER_NAME, version: TFOD_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (pullsConfiguration)
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'tfod' });
  });

  connection.onDidChangeConfiguration(async () => {
    if (!pullsConfiguration) return;
    const setting = (await connection.workspace.getConfiguration('tfod.validation')) as
      { protoPath?: string } | undefined;
    await applyProtoPath(setting?.protoPath);
  });

  // TextDocuments reports an open as a content change too; an open validates at once.
  const opening = new Set<string>();

  documents.onDidOpen((event) => {
    const path = uriToPath(event.document.uri);
    if (path) openByPath.set(path, event.document);
    opening.add(event.document.uri);
    scheduler.schedule(event.document.uri, 0);
  });

  documents.onDidChangeContent((event) => {
    if (!opening.delete(event.document.uri)) scheduler.schedule(event.document.uri);
    const path = uriToPath(event.document.uri);
    if (path) revalidateDependents(path, event.document.uri);
  });

  documents.onDidClose((event) => {
    const uri = event.document.uri;
    scheduler.cancel(uri);
    service.forget(uri);
    const path = uriToPath(uri);
    if (path) {
      openByPath.delete(path);
      // The file on disk may differ from the closed editor's text.
      revalidateDependents(path, uri);
    }
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles((params) => {
    const paths = params.changes
      .map((c) => uriToPath(c.uri))
      .filter((p): p is string => p !== undefined);
    service.filesChanged(paths);
    for (const document of documents.all()) scheduler.schedule(document.uri);
  });

  connection.onShutdown(() => scheduler.dispose());
  registerLanguageFeatures(connection, documents, service);

  documents.listen(connection);
  connection.listen();
  return documents;
}

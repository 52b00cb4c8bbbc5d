import { join } from 'node:path';
import {
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TFOD_VERSION } from '../core/version';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import {
  computeFeature,
  type FeatureMethod,
  type FeatureParams,
  type FeatureResult,
} from './features';
import { doWork } from './heavyWork';
import { HeavyWorker } from './heavyWorker';
import { LANGUAGE_CAPABILITIES, registerLanguageFeatures } from './languageFeatures';
import { uriToPath } from './uris';
import { RecordsSummaries } from './recordsSummaries';
import { ValidationService } from './validationService';

export const SERVER_NAME = 'tfod-language-server';

/** Waiting time after a keystroke before validating, so that typing a word validates once. */
export const DEFAULT_DEBOUNCE_MS = 100;

/**
 * From this length of text (characters; bytes for the ASCII these files hold) a document is heavy:
 * its validation and every feature on it run in the worker thread, off the message loop. Below it,
 * work takes milliseconds and stays on the loop, where it needs no copy of the text. 512 KiB
 * takes about 40 ms to parse for the editor; 10 MiB about a second.
 */
export const DEFAULT_HEAVY_DOCUMENT_CHARS = 512 * 1024;

/** The worker's bundle, built beside this one (dist/server.js, dist/serverWorker.js). */
const WORKER_SCRIPT = join(__dirname, 'serverWorker.js');

/** What the client may pass in `initializationOptions`. */
export interface ServerOptions {
  /** Debounce of diagnostics after an edit, in milliseconds. */
  debounceMs?: number;
  /** A folder of the user's own .proto files (setting `tfod.validation.protoPath`). */
  protoPath?: string;
  /** The training image's ARCHITECTURE tag (setting `tfod.validation.architecture`). */
  architecture?: string;
  /** The length from which a document's work runs in the worker (tests lower or raise it). */
  heavyDocumentChars?: number;
}

const cancelled = () =>
  new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');

/**
 * Wires the language server's handlers onto a connection. Handlers stay thin: they turn LSP
 * params into calls to the pure language service (text-format engine and schema), which never
 * sees LSP or VS Code types.
 */
export function startLanguageServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);
  const openByPath = new Map<string, TextDocument>();
  // TFRecords named by input_path are read in the background; configs re-validate when done.
  const records = new RecordsSummaries((files) => {
    for (const file of files) revalidateDependents(file);
  });
  const service = new ValidationService(
    [],
    (path) => openByPath.get(path)?.getText(),
    (files) => records.get(files),
  );
  const heavy = new HeavyWorker({
    script: WORKER_SCRIPT,
    documents: () => documents.all(),
    inProcess: (document, work) => doWork(service, document, work),
    log: (message) => connection.console.log(message),
  });
  let heavyChars = DEFAULT_HEAVY_DOCUMENT_CHARS;
  let roots: string[] = [];
  let scheduler = new DiagnosticsScheduler(publish, DEFAULT_DEBOUNCE_MS);
  let pullsConfiguration = false;

  const isHeavy = (document: TextDocument) => document.getText().length >= heavyChars;

  const failed = (uri: string, error: unknown) =>
    connection.console.error(
      `validating ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );

  function publish(uri: string, token: CancellationToken): void | Promise<void> {
    const document = documents.get(uri);
    if (!document) return;
    const version = document.version;
    const send = (diagnostics: Diagnostic[]) => {
      // A newer edit arrived while validating: its own run will publish.
      if (documents.get(uri)?.version !== version) return;
      void connection.sendDiagnostics({ uri, version, diagnostics });
    };
    if (isHeavy(document)) {
      // A result kept from when the document was small would only hold memory.
      service.forget(uri);
      return heavy.run(document, { kind: 'diagnostics' }, token).then(
        (outcome) => {
          if (!outcome.cancelled) send(outcome.value as Diagnostic[]);
        },
        (error: unknown) => failed(uri, error),
      );
    }
    try {
      send(service.diagnostics(document));
    } catch (error) {
      failed(uri, error);
    }
  }

  /** Re-validates the open documents that read `path` (a label map they name, for example). */
  function revalidateDependents(path: string, except?: string): void {
    for (const uri of new Set([...service.dependents(path), ...heavy.dependents(path)])) {
      if (uri === except) continue;
      service.forget(uri);
      heavy.forget(uri);
      scheduler.schedule(uri);
    }
  }

  /** A language feature, on the message loop or (heavy document) in the worker. */
  function answer<M extends FeatureMethod>(
    method: M,
    params: FeatureParams<M>,
    token: CancellationToken,
  ): FeatureResult<M> | Promise<FeatureResult<M> | ResponseError<void>> {
    const document = documents.get(params.textDocument.uri);
    if (!document || token.isCancellationRequested) return null;
    if (!isHeavy(document)) return computeFeature(service, document, method, params, token);
    return heavy
      .run(document, { kind: 'feature', method, params }, token)
      .then((outcome) => (outcome.cancelled ? cancelled() : (outcome.value as FeatureResult<M>)));
  }

  let architecture: string | undefined;

  function applyArchitecture(tag: string | undefined): void {
    const next = tag?.trim() || undefined;
    if (next === architecture) return;
    architecture = next;
    service.setArchitecture(architecture);
    heavy.configure({ roots, protoFolder: currentProtoFolder, architecture });
    for (const document of documents.all()) scheduler.schedule(document.uri, 0);
  }

  let currentProtoFolder: string | undefined;

  async function applyProtoPath(folder: string | undefined): Promise<void> {
    const protoFolder = folder?.trim() || undefined;
    currentProtoFolder = protoFolder;
    heavy.configure({ roots, protoFolder, architecture });
    const errors = await service.useProtoFolder(protoFolder);
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
    if (typeof options.heavyDocumentChars === 'number' && options.heavyDocumentChars >= 0)
      heavyChars = options.heavyDocumentChars;
    roots = (params.workspaceFolders ?? [])
      .map((f) => uriToPath(f.uri))
      .filter((p): p is string => p !== undefined);
    if (roots.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) roots.push(root);
    }
    service.setRoots(roots);
    heavy.configure({ roots, protoFolder: undefined });
    if (options.architecture) applyArchitecture(options.architecture);
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
      { protoPath?: string; architecture?: string } | undefined;
    applyArchitecture(setting?.architecture);
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
    heavy.closed(uri);
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
    heavy.filesChanged(paths);
    for (const document of documents.all()) scheduler.schedule(document.uri);
  });

  connection.onShutdown(() => {
    scheduler.dispose();
    heavy.dispose();
  });
  registerLanguageFeatures(connection, answer);

  documents.listen(connection);
  connection.listen();
  return documents;
}

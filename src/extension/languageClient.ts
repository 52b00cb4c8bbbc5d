import * as vscode from 'vscode';
import type {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';
import { TEXT_FORMAT_LANGUAGE } from './languages';

/**
 * The language client for pipeline configs and label maps. It has its own lifetime, apart from
 * `context.subscriptions` (as in rust-analyzer): it is started once and stopped in `deactivate()`,
 * so stopping waits for the server's shutdown handshake instead of racing the other disposables.
 */
let client: LanguageClient | undefined;
let starting: Promise<LanguageClient> | undefined;

/**
 * Starts the language client when the first config or label map is open: now if one already is,
 * else on the first that opens. Until then neither the client library nor the server process is
 * loaded (activation costs milliseconds; the Jobs view alone never needs them).
 */
export function startLanguageClientOnDemand(
  extension: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  onFailure: (error: unknown) => void,
): void {
  const isTextFormat = (document: vscode.TextDocument) =>
    document.languageId === TEXT_FORMAT_LANGUAGE;
  const start = () => {
    starting ??= startLanguageClient(extension, log);
    starting.then(() => log.info('language server started'), onFailure);
  };
  if (vscode.workspace.textDocuments.some(isTextFormat)) {
    start();
    return;
  }
  const listener = vscode.workspace.onDidOpenTextDocument((document) => {
    if (!isTextFormat(document)) return;
    listener.dispose();
    start();
  });
  extension.subscriptions.push(listener);
}

async function startLanguageClient(
  extension: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): Promise<LanguageClient> {
  // Its own bundle (dist/languageclient.js, scripts/build.mjs), loaded here on first use.
  const { LanguageClient, TransportKind } = await import('vscode-languageclient/node');
  const module = extension.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6010'] },
    },
  };
  const validation = vscode.workspace.getConfiguration('tfod.validation');
  const protoPath = validation.get<string>('protoPath') ?? '';
  const architecture = validation.get<string>('architecture') ?? '';
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: TEXT_FORMAT_LANGUAGE },
      { scheme: 'untitled', language: TEXT_FORMAT_LANGUAGE },
    ],
    initializationOptions: { protoPath, architecture },
    synchronize: {
      configurationSection: 'tfod',
      // Label maps, TFRecords and checkpoints named by a config: their creation or removal
      // changes what the config's paths resolve to.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*'),
    },
    outputChannel: log,
  };
  client = new LanguageClient(
    'tfod',
    vscode.l10n.t('Object Detection Language Server'),
    serverOptions,
    clientOptions,
  );
  await client.start();
  return client;
}

export async function stopLanguageClient(): Promise<void> {
  await starting?.catch(() => undefined);
  const running = client;
  client = undefined;
  starting = undefined;
  if (running) await running.stop();
}

import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { TEXT_FORMAT_LANGUAGE } from './languages';

/**
 * The language client for pipeline configs and label maps. It has its own lifetime, apart from
 * `context.subscriptions` (as in rust-analyzer): it is started once and stopped in `deactivate()`,
 * so stopping waits for the server's shutdown handshake instead of racing the other disposables.
 */
let client: LanguageClient | undefined;

export async function startLanguageClient(
  extension: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): Promise<LanguageClient> {
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
    'Object Detection Language Server',
    serverOptions,
    clientOptions,
  );
  await client.start();
  return client;
}

export async function stopLanguageClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

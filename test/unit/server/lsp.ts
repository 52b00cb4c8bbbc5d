// What the language server tests share: the bundled server started over stdio as an editor starts
// it, the LSP shapes they read, and edits applied the way an editor applies them.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { LineIndex } from '../../../src/textproto';

export const root = join(__dirname, '..', '..', '..');
export const serverScript = join(root, 'dist', 'server.js');

export interface Pos {
  line: number;
  character: number;
}
export interface LspRange {
  start: Pos;
  end: Pos;
}
export interface LspEdit {
  range: LspRange;
  newText: string;
}
export interface LspDiagnostic {
  range: LspRange;
  severity?: number;
  code: string;
  message: string;
  relatedInformation?: { location: { uri: string } }[];
}
export interface Published {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}

// Once with every document small (the message loop does the work) and once with every document
// heavy (the worker thread does it): the two must answer alike.
export const MODES = [
  ['on the message loop', {}],
  ['in the worker', { heavyDocumentChars: 0 }],
] as const;

/** Applies LSP text edits to `text`, last first, as an editor does. */
export function applyLsp(text: string, edits: readonly LspEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort(
    (a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start),
  );
  let out = text;
  for (const e of sorted)
    out =
      out.slice(0, lines.offsetAt(e.range.start)) +
      e.newText +
      out.slice(lines.offsetAt(e.range.end));
  return out;
}

export interface LspServer {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly capabilities: Record<string, unknown>;
  /** Every publishDiagnostics so far, in order of arrival (tests may consume from the front). */
  readonly published: Published[];
  /** The server's window/logMessage lines. */
  readonly log: string[];
  /** Calls `listener` on the next publication (once). */
  onNextPublication(listener: () => void): void;
  stop(): void;
}

/**
 * Starts `script` (default the bundled server) with `--stdio` on `workspace` and initialises it
 * with `initializationOptions`, as VS Code's client does.
 */
export async function startLspServer(
  workspace: string,
  initializationOptions: Record<string, unknown>,
  script = serverScript,
): Promise<LspServer> {
  assert.ok(existsSync(script), `${script} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [script, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: Published[] = [];
  const log: string[] = [];
  let listeners: (() => void)[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
    if (process.env.DEBUG_LSP) console.error('PUB', p.uri, p.version, p.diagnostics.length);
    published.push(p);
    const current = listeners;
    listeners = [];
    for (const listener of current) listener();
  });
  connection.onNotification('window/logMessage', (m: { message: string }) => {
    if (process.env.DEBUG_LSP) console.error('LOG', m.message);
    log.push(m.message);
  });
  connection.listen();
  const init = (await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'w' }],
    capabilities: {},
    initializationOptions,
  })) as { capabilities: Record<string, unknown> };
  await connection.sendNotification('initialized', {});
  return {
    child,
    connection,
    capabilities: init.capabilities,
    published,
    log,
    onNextPublication: (listener) => listeners.push(listener),
    stop: () => {
      connection.dispose();
      child.kill();
    },
  };
}

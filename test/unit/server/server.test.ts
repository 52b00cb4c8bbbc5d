import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

// The bundled server, started the way editors other than VS Code start it: `node dist/server.js --stdio`.
const server = join(__dirname, '..', '..', '..', 'dist', 'server.js');

describe('language server over stdio', () => {
  let child: ChildProcess;
  let connection: MessageConnection;

  before(() => {
    assert.ok(existsSync(server), `${server} is missing: run \`npm run build\` first`);
    child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    connection.listen();
  });

  after(() => {
    connection.dispose();
    child.kill();
  });

  it('answers initialize with incremental sync and its name, and shuts down cleanly', async () => {
    const result = (await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    })) as {
      capabilities: { textDocumentSync: { change: number; openClose: boolean } };
      serverInfo: { name: string };
    };
    assert.equal(result.serverInfo.name, 'tfod-language-server');
    assert.equal(result.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.equal(result.capabilities.textDocumentSync.openClose, true);
    await connection.sendNotification('initialized', {});
    await connection.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  });
});

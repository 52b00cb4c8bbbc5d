// The bundled language server over stdio with a 10 MiB label map open: its work (about a second
// per validation or formatting) runs in the worker thread, so a small document is answered and
// validated while it runs, and cancelling its formatting stops it. Orders of arrival are asserted,
// never durations. When the worker cannot start, the work is done on the message loop.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import {
  applyLsp,
  serverScript as server,
  startLspServer,
  type LspEdit,
  type LspServer,
  type Published,
} from './lsp';

/**
 * A label map of at least `chars` characters, formatted except the first item's id (indented
 * four spaces), whose last item misspells `display_name` on line `errorLine`.
 */
function labelMap(chars: number): { text: string; formatted: string; errorLine: number } {
  const items: string[] = [];
  let length = 0;
  for (let id = 1; length < chars; id++) {
    const item = `item {\n  id: ${id}\n  name: "/m/class_${id}"\n  display_name: "Class ${id}"\n}\n`;
    items.push(item);
    length += item.length;
  }
  const last = items.length - 1;
  items[last] = items[last]!.replace('display_name', 'dispaly_name');
  const formatted = items.join('');
  const errorLine = last * 5 + 3;
  return { text: formatted.replace('  id: 1\n', '    id: 1\n'), formatted, errorLine };
}

const SMALL_TEXT = 'item {\n  id: 1\n  nmae: "cat"\n}\n';

/** The server at `script`, and a wait for the first publication that passes a test. */
async function startServer(
  script: string,
  workspace: string,
  initializationOptions: Record<string, unknown>,
): Promise<
  LspServer & { waitFor: (uri: string, test: (p: Published) => boolean) => Promise<Published> }
> {
  const lsp = await startLspServer(workspace, initializationOptions, script);
  /** Resolves with the first publication (in order of arrival) for `uri` that passes `test`. */
  const waitFor = (uri: string, test: (p: Published) => boolean) =>
    new Promise<Published>((resolve) => {
      const check = () => {
        const found = lsp.published.find((p) => p.uri === uri && test(p));
        if (found) resolve(found);
        else lsp.onNextPublication(check);
      };
      check();
    });
  return Object.assign(lsp, { waitFor });
}

describe('language server with a heavy document', () => {
  let workspace: string;
  let lsp: Awaited<ReturnType<typeof startServer>>;
  const heavy = labelMap(10 * 1024 * 1024);
  const heavyUri = () => pathToFileURL(join(workspace, 'big_label_map.pbtxt')).href;
  const smallUri = () => pathToFileURL(join(workspace, 'small_label_map.pbtxt')).href;
  const format = (uri: string, source = new CancellationTokenSource()) =>
    lsp.connection.sendRequest(
      'textDocument/formatting',
      { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } },
      source.token,
    ) as Promise<LspEdit[]>;
  const hoverSmall = () =>
    lsp.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: smallUri() },
      position: { line: 1, character: 3 },
    }) as Promise<{ contents: { value: string } } | null>;

  before(async () => {
    assert.ok(existsSync(server), `${server} is missing: run \`npm run build\` first`);
    workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-heavy-'));
    // The default threshold (512 KiB): the 10 MiB label map is heavy, the small one is not.
    lsp = await startServer(server, workspace, { debounceMs: 20 });
  });

  after(() => {
    lsp.connection.dispose();
    lsp.child.kill();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("publishes the heavy document's diagnostics, and the small document's before them", async () => {
    await lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: heavyUri(), languageId: 'textproto', version: 1, text: heavy.text },
    });
    await lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: smallUri(), languageId: 'textproto', version: 1, text: SMALL_TEXT },
    });
    const big = await lsp.waitFor(heavyUri(), (p) => p.version === 1);
    const small = await lsp.waitFor(smallUri(), (p) => p.version === 1);
    assert.deepEqual(
      big.diagnostics.map((d) => [d.code, d.range.start.line, d.message]),
      [
        [
          'unknown-field',
          heavy.errorLine,
          "unknown field 'dispaly_name' in 'StringIntLabelMapItem'; did you mean 'display_name'?",
        ],
      ],
    );
    assert.deepEqual(
      small.diagnostics.map((d) => [d.code, d.range.start.line]),
      [['unknown-field', 2]],
    );
    assert.ok(
      lsp.published.indexOf(small) < lsp.published.indexOf(big),
      'the small document was validated while the heavy one was',
    );
  });

  it('answers a hover on the small document while the heavy one is being formatted', async () => {
    const order: string[] = [];
    const formatting = format(heavyUri()).then((edits) => {
      order.push('formatting');
      return edits;
    });
    const hover = hoverSmall().then((h) => {
      order.push('hover');
      return h;
    });
    const [edits, h] = await Promise.all([formatting, hover]);
    assert.deepEqual(order, ['hover', 'formatting']);
    assert.match(h?.contents.value ?? '', /item\.id/);
    assert.equal(applyLsp(heavy.text, edits), heavy.formatted);
  });

  it('ends a cancelled formatting with RequestCancelled, and formats the document afresh', async () => {
    const source = new CancellationTokenSource();
    const formatting = format(heavyUri(), source).then(
      (edits) => ({ edits }),
      (error: { code?: number }) => ({ code: error.code }),
    );
    // Answered after the server has handed the formatting to the worker; then cancel it.
    assert.ok(await hoverSmall());
    source.cancel();
    assert.deepEqual(await formatting, { code: -32800 });
    const edits = await format(heavyUri());
    assert.equal(applyLsp(heavy.text, edits), heavy.formatted);
  });
});

describe('language server whose worker cannot start', () => {
  let workspace: string;
  let lsp: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    assert.ok(existsSync(server), `${server} is missing: run \`npm run build\` first`);
    workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-noworker-'));
    // The server alone, without serverWorker.js beside it.
    const script = join(workspace, 'server.js');
    copyFileSync(server, script);
    lsp = await startServer(script, workspace, { debounceMs: 20, heavyDocumentChars: 16 });
  });

  after(() => {
    lsp.connection.dispose();
    lsp.child.kill();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('does the work on the message loop and says so once in the log', async () => {
    const uri = pathToFileURL(join(workspace, 'label_map.pbtxt')).href;
    const text = 'item {\n    id: 1\n  nmae: "cat"\n}\n';
    await lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'textproto', version: 1, text },
    });
    const published = await lsp.waitFor(uri, (p) => p.version === 1);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.range.start.line]),
      [['unknown-field', 2]],
    );
    const edits = (await lsp.connection.sendRequest('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) as LspEdit[];
    assert.equal(applyLsp(text, edits), 'item {\n  id: 1\n  nmae: "cat"\n}\n');
    const notes = lsp.log.filter((m) => m.includes('could not start'));
    assert.equal(notes.length, 1, lsp.log.join('\n'));
    assert.match(notes[0]!, /worker for large documents could not start/);
  });
});

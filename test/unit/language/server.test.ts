// The bundled language server over stdio, as an editor drives it: capabilities, completion,
// hover, formatting, quick fixes, symbols, folding, selection ranges, links and definition.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { LineIndex } from '../../../src/textproto';
import {
  applyLsp,
  MODES,
  root,
  startLspServer,
  type LspEdit,
  type LspRange,
  type LspServer,
  type Pos,
} from '../server/lsp';

for (const [where, heavyOptions] of MODES)
  describe(`language features over stdio, ${where}`, () => {
    let lsp: LspServer;
    let connection: MessageConnection;
    let workspace: string;
    let capabilities: Record<string, unknown>;
    let text: string;
    let lines: LineIndex;
    const uri = () => pathToFileURL(join(workspace, 'pipeline.config')).href;
    const at = (needle: string, delta = 0): Pos => {
      const i = text.indexOf(needle);
      assert.ok(i >= 0, needle);
      return lines.positionAt(i + delta);
    };

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-lang-'));
      cpSync(join(root, 'test', 'fixtures', 'validation-project'), workspace, { recursive: true });
      lsp = await startLspServer(workspace, { debounceMs: 20, ...heavyOptions });
      connection = lsp.connection;
      capabilities = lsp.capabilities;
      text = readFileSync(join(workspace, 'pipeline.config'), 'utf8');
      lines = new LineIndex(text);
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: uri(), languageId: 'textproto', version: 1, text },
      });
    });

    after(() => {
      lsp.stop();
      rmSync(workspace, { recursive: true, force: true });
    });

    it('announces the language features', () => {
      for (const key of [
        'completionProvider',
        'hoverProvider',
        'documentFormattingProvider',
        'documentRangeFormattingProvider',
        'codeActionProvider',
        'documentSymbolProvider',
        'foldingRangeProvider',
        'selectionRangeProvider',
        'documentLinkProvider',
        'definitionProvider',
      ])
        assert.ok(capabilities[key], key);
    });

    it('hovers num_classes with its path and doc, and completes inside ssd', async () => {
      const h = (await connection.sendRequest('textDocument/hover', {
        textDocument: { uri: uri() },
        position: at('num_classes:', 2),
      })) as { contents: { value: string } };
      assert.match(h.contents.value, /model\.ssd\.num_classes/);
      assert.match(h.contents.value, /Number of object classes/);
      const items = (await connection.sendRequest('textDocument/completion', {
        textDocument: { uri: uri() },
        position: at('    image_resizer {'),
      })) as { label: string; insertTextFormat: number; documentation?: { value: string } }[];
      const box = items.find((i) => i.label === 'encode_background_as_zeros');
      assert.ok(box, items.map((i) => i.label).join(' '));
      assert.equal(box.insertTextFormat, 2);
      assert.ok(!items.some((i) => i.label === 'num_classes'), 'num_classes is already set');
    });

    it('formats a formatted document to no edits and a messy one canonically', async () => {
      // The fixture has one non-canonical line (an empty message on two lines).
      const first = (await connection.sendRequest('textDocument/formatting', {
        textDocument: { uri: uri() },
        options: { tabSize: 2, insertSpaces: true },
      })) as LspEdit[];
      assert.equal(first.length, 1);
      const formatted = applyLsp(text, first);
      assert.match(formatted, /iou_similarity \{\}/);
      const formattedUri = pathToFileURL(join(workspace, 'formatted.config')).href;
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: formattedUri, languageId: 'textproto', version: 1, text: formatted },
      });
      const none = (await connection.sendRequest('textDocument/formatting', {
        textDocument: { uri: formattedUri },
        options: { tabSize: 2, insertSpaces: true },
      })) as LspEdit[];
      assert.deepEqual(none, []);
      const messy = 'model {\nssd {    num_classes: 2 # two\n}}\n';
      const messyUri = pathToFileURL(join(workspace, 'messy.config')).href;
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: messyUri, languageId: 'textproto', version: 1, text: messy },
      });
      const edits = (await connection.sendRequest('textDocument/formatting', {
        textDocument: { uri: messyUri },
        options: { tabSize: 2, insertSpaces: true },
      })) as LspEdit[];
      assert.equal(applyLsp(messy, edits), 'model {\n  ssd {\n    num_classes: 2 # two\n  }\n}\n');
    });

    it('offers the quick fix for the misspelled field and num_classes', async () => {
      const start = at('bacth_size');
      const actions = (await connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uri() },
        range: { start, end: start },
        context: { diagnostics: [] },
      })) as {
        title: string;
        diagnostics: unknown[];
        edit: { changes: Record<string, LspEdit[]> };
      }[];
      const fix = actions.find((a) => a.title.includes('batch_size'));
      assert.ok(fix, JSON.stringify(actions));
      assert.equal(fix.diagnostics.length, 1);
      assert.match(applyLsp(text, fix.edit.changes[uri()]!), /\n {2}batch_size: /);
      const n = at('num_classes: 1', 13);
      const nActions = (await connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uri() },
        range: { start: n, end: n },
        context: { diagnostics: [] },
      })) as { title: string; edit: { changes: Record<string, LspEdit[]> } }[];
      const set = nActions.find((a) => a.title.startsWith('Set num_classes to 2'));
      assert.ok(set, JSON.stringify(nActions));
      assert.match(applyLsp(text, set.edit.changes[uri()]!), /num_classes: 2\n/);
    });

    it('answers symbols, folding, selection ranges, links and definition', async () => {
      const symbols = (await connection.sendRequest('textDocument/documentSymbol', {
        textDocument: { uri: uri() },
      })) as { name: string; children: { name: string }[] }[];
      assert.ok(symbols.find((s) => s.name === 'model')?.children.some((c) => c.name === 'ssd'));
      const folds = (await connection.sendRequest('textDocument/foldingRange', {
        textDocument: { uri: uri() },
      })) as { startLine: number; endLine: number }[];
      assert.ok(folds.some((f) => f.startLine === at('model {').line));
      const selection = (await connection.sendRequest('textDocument/selectionRange', {
        textDocument: { uri: uri() },
        positions: [at('num_classes: 1', 13)],
      })) as { range: LspRange; parent?: unknown }[];
      assert.deepEqual(selection[0]?.range.start, at('num_classes: 1', 13));
      assert.ok(selection[0]?.parent);
      const links = (await connection.sendRequest('textDocument/documentLink', {
        textDocument: { uri: uri() },
      })) as { target: string }[];
      assert.ok(
        links.some((l) => l.target.endsWith('/label_map.pbtxt')),
        JSON.stringify(links),
      );
      const def = (await connection.sendRequest('textDocument/definition', {
        textDocument: { uri: uri() },
        position: at('label_map.pbtxt'),
      })) as { uri: string };
      assert.ok(def.uri.endsWith('/label_map.pbtxt'));
    });

    it('answers null to a cancelled request', async () => {
      const { CancellationTokenSource } = await import('vscode-jsonrpc/node');
      const source = new CancellationTokenSource();
      const pending = connection.sendRequest(
        'textDocument/documentSymbol',
        { textDocument: { uri: uri() } },
        source.token,
      );
      source.cancel();
      const result = await pending.catch((e: { code?: number }) => ({ cancelled: e.code }));
      // Either the server saw the cancellation (null / RequestCancelled) or answered first.
      assert.ok(
        result === null ||
          Array.isArray(result) ||
          (result as { cancelled?: number }).cancelled === -32800,
      );
    });
  });

// The bundled language server over stdio, as an editor drives it: diagnostics on open, after
// incremental edits, across files (the label map a config names), and cleared on close.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { MODES, root, startLspServer, type LspServer, type Published } from './lsp';

for (const [where, heavyOptions] of MODES)
  describe(`language server diagnostics over stdio, ${where}`, () => {
    let lsp: LspServer;
    let connection: MessageConnection;
    let workspace: string;
    const published = (): Published[] => lsp.published;

    /** The next publication for `uri` that satisfies `test`. */
    function waitFor(
      uri: string,
      test: (p: Published) => boolean,
      timeoutMs = 10_000,
    ): Promise<Published> {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () =>
            reject(
              new Error(
                `no matching diagnostics for ${uri}: ${JSON.stringify(published().at(-1))}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          const found = published().find((p) => p.uri === uri && test(p));
          if (!found) return false;
          published().splice(0, published().indexOf(found) + 1);
          clearTimeout(deadline);
          resolve(found);
          return true;
        };
        const wait = () => {
          if (!check()) lsp.onNextPublication(wait);
        };
        wait();
      });
    }

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-'));
      cpSync(join(root, 'test', 'fixtures', 'validation-project'), workspace, { recursive: true });
      lsp = await startLspServer(workspace, { debounceMs: 20, ...heavyOptions });
      connection = lsp.connection;
    });

    after(() => {
      lsp.stop();
      rmSync(workspace, { recursive: true, force: true });
    });

    const configUri = () => pathToFileURL(join(workspace, 'pipeline.config')).href;
    const labelMapUri = () => pathToFileURL(join(workspace, 'label_map.pbtxt')).href;

    it('publishes the misspelled field and the num_classes mismatch on open, at their lines', async () => {
      const text = readFileSync(join(workspace, 'pipeline.config'), 'utf8');
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: configUri(), languageId: 'textproto', version: 1, text },
      });
      const p = await waitFor(configUri(), (x) => x.version === 1);
      const byCode = new Map(p.diagnostics.map((d) => [d.code, d]));
      const unknown = byCode.get('unknown-field');
      assert.ok(unknown, JSON.stringify(p.diagnostics));
      assert.equal(unknown.severity, 1);
      assert.equal(unknown.range.start.line, 133);
      assert.equal(
        unknown.message,
        "unknown field 'bacth_size' in 'TrainConfig'; did you mean 'batch_size'?",
      );
      const classes = byCode.get('num-classes-below-label-map');
      assert.ok(classes);
      assert.equal(classes.severity, 1);
      assert.equal(classes.range.start.line, 4);
      assert.equal(classes.relatedInformation?.[0]?.location.uri, labelMapUri());
    });

    it('re-validates after an incremental edit, dropping a fixed problem', async () => {
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: configUri(), version: 2 },
        contentChanges: [
          {
            range: { start: { line: 133, character: 2 }, end: { line: 133, character: 12 } },
            text: 'batch_size',
          },
        ],
      });
      const p = await waitFor(configUri(), (x) => x.version === 2);
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['num-classes-below-label-map'],
      );
    });

    it('publishes once for a burst of keystrokes (debounced), for the latest version', async () => {
      for (let v = 3; v <= 6; v++)
        await connection.sendNotification('textDocument/didChange', {
          textDocument: { uri: configUri(), version: v },
          contentChanges: [
            {
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
              text: '#',
            },
          ],
        });
      const p = await waitFor(configUri(), (x) => (x.version ?? 0) >= 3);
      assert.equal(p.version, 6, 'intermediate versions are not published');
    });

    it('re-validates the config when its label map changes in the editor', async () => {
      const text = readFileSync(join(workspace, 'label_map.pbtxt'), 'utf8');
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: labelMapUri(), languageId: 'textproto', version: 1, text },
      });
      const lm = await waitFor(labelMapUri(), () => true);
      assert.deepEqual(lm.diagnostics, []);
      // Keep only class 1: num_classes 1 now matches.
      const lines = text.split('\n');
      const second = lines.findIndex((l) => l.includes('id: 2')) - 1;
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: labelMapUri(), version: 2 },
        contentChanges: [
          {
            range: {
              start: { line: second, character: 0 },
              end: { line: lines.length, character: 0 },
            },
            text: '',
          },
        ],
      });
      const p = await waitFor(
        configUri(),
        (x) => !x.diagnostics.some((d) => d.code === 'num-classes-below-label-map'),
      );
      assert.deepEqual(
        p.diagnostics.filter((d) => d.severity === 1),
        [],
      );
    });

    it('clears the diagnostics of a closed document', async () => {
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: configUri(), version: 7 },
        contentChanges: [
          {
            range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
            text: 'oops\n',
          },
        ],
      });
      const broken = await waitFor(configUri(), (x) => x.version === 7);
      assert.ok(broken.diagnostics.some((d) => d.severity === 1));
      await connection.sendNotification('textDocument/didClose', {
        textDocument: { uri: configUri() },
      });
      const cleared = await waitFor(configUri(), (x) => x.diagnostics.length === 0);
      assert.equal(cleared.version, undefined);
    });
  });

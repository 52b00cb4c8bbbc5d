// The training rules through the bundled language server over stdio: the image's ARCHITECTURE from
// the initialization options (as the client sends `tfod.validation.architecture`) decides the TF
// version, the diagnostic lands on its line, and its own fix is offered as the quick fix, on the
// message loop and in the worker alike.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LineIndex } from '../../../src/textproto';
import {
  applyLsp,
  MODES,
  startLspServer,
  type LspEdit,
  type LspServer,
  type Published,
} from './lsp';

const CONFIG = `model {
  ssd {
    num_classes: 2
    image_resizer { fixed_shape_resizer { height: 320 width: 320 } }
    feature_extractor {
      type: "ssd_mobilenet_v2"
    }
  }
}
train_config {
  batch_size: 2
  optimizer {
    momentum_optimizer { learning_rate { constant_learning_rate { learning_rate: 0.01 } } }
    use_moving_average: false
  }
}
`;

for (const [where, heavyOptions] of MODES)
  describe(`training rules over stdio, ${where}`, () => {
    let lsp: LspServer;
    let workspace: string;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-rules-'));
      lsp = await startLspServer(workspace, {
        debounceMs: 20,
        architecture: '2.9.1-gpu',
        ...heavyOptions,
      });
    });
    after(() => {
      lsp.stop();
      rmSync(workspace, { recursive: true, force: true });
    });

    it('reports a slim extractor under the TF2 image on its line and offers the Keras one', async () => {
      const uri = pathToFileURL(join(workspace, 'pipeline.config')).href;
      const published = new Promise<Published>((resolve) => {
        const check = () => {
          const found = lsp.published.find((p) => p.uri === uri);
          if (found) resolve(found);
          else lsp.onNextPublication(check);
        };
        check();
      });
      await lsp.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'textproto', version: 1, text: CONFIG },
      });
      const diagnostics = (await published).diagnostics;
      const d = diagnostics.find((x) => x.code === 'feature-extractor-tf1');
      assert.ok(d, JSON.stringify(diagnostics));
      assert.equal(d.severity, 1);
      assert.equal(d.range.start.line, 5);
      assert.match(d.message, /TF2, from the image's ARCHITECTURE 2\.9\.1-gpu/);
      const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d] },
      })) as {
        title: string;
        diagnostics: unknown[];
        edit: { changes: Record<string, LspEdit[]> };
      }[];
      const fix = actions.find((a) => a.title === 'Change to ssd_mobilenet_v2_keras');
      assert.ok(fix, JSON.stringify(actions));
      assert.equal(fix.diagnostics.length, 1);
      const fixed = applyLsp(CONFIG, fix.edit.changes[uri]!);
      assert.match(fixed, /type: "ssd_mobilenet_v2_keras"/);
      assert.equal(new LineIndex(fixed).lineCount, new LineIndex(CONFIG).lineCount);
    });
  });

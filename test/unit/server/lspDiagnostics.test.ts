import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { NodeProjectHost, validateText } from '../../../src/schema/validate';
import { plainMessage, toLspDiagnostic } from '../../../src/server/lspDiagnostics';
import { LineIndex } from '../../../src/textproto';

// What the editor shows of a validation (issue [installed-extension], item 7): plain text in the
// Problems panel and quick fixes, and a template's placeholder paths as hints, not as problems.
describe('validation results at the LSP edge', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-lsp-edge-'));
    mkdirSync(join(dir, 'labels'));
    writeFileSync(join(dir, 'labels', 'label_map.pbtxt'), 'item { id: 1 name: "a" }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const lsp = (text: string) => {
    const path = join(dir, 'pipeline.config');
    const result = validateText(text, { path, host: new NodeProjectHost([dir]) });
    const lines = new LineIndex(text);
    return result.diagnostics.map((d) =>
      toLspDiagnostic(d, lines, pathToFileURL(path).href, () => undefined),
    );
  };

  it('quotes names instead of showing Markdown backticks', () => {
    const [unknown] = lsp('model { ssd { num_clases: 1 } }\n');
    assert.equal(unknown?.code, 'unknown-field');
    assert.equal(
      unknown?.message,
      "unknown field 'num_clases' in 'Ssd'; did you mean 'num_classes'?",
    );
    assert.equal(plainMessage('set `a: 1` or `b`'), "set 'a: 1' or 'b'");
    assert.equal(plainMessage('no code here'), 'no code here');
  });

  it("shows a template's placeholder path as a hint (severity 4), other notices as before", () => {
    const diagnostics = lsp(
      'model { ssd { num_classes: 4 } }\ntrain_input_reader { label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt" }\n',
    );
    const bySeverity = diagnostics.map((d) => `${d.severity} ${d.code}`);
    assert.deepEqual(bySeverity, ['2 num-classes-above-label-map', '4 path-placeholder']);
    const placeholder = diagnostics.find((d) => d.code === 'path-placeholder');
    assert.doesNotMatch(String(placeholder?.message), /`/);
  });
});

// `tfod validate` in-process: the validate command registered on the real program (as
// src/cli/program.ts does), its line format, JSON output, folders, and exit codes.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import { corpusDir } from '../textproto/corpus';

/** The CLI in-process exactly as the `tfod` binary runs it. */
async function tfod(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tfod validate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-validate-'));
    cpSync(join(__dirname, '..', '..', 'fixtures', 'validation-project'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'web.config'),
      '<?xml version="1.0"?>\n<configuration>\n  <model>x</model>\n</configuration>\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints path:line:col: severity: message and exits 1 on errors', async () => {
    const result = await tfod('validate', join(dir, 'pipeline.config'));
    assert.equal(result.code, 1);
    const lines = result.stdout.trim().split('\n');
    assert.ok(
      lines.some((l) =>
        l.endsWith(
          'pipeline.config:134:3: error: unknown field `bacth_size` in `TrainConfig`; did you mean `batch_size`?',
        ),
      ),
      result.stdout,
    );
    assert.ok(
      lines.some((l) =>
        /pipeline\.config:5:18: error: num_classes is 1 but the label map .*label_map\.pbtxt has ids up to 2/.test(
          l,
        ),
      ),
      result.stdout,
    );
    assert.match(lines.at(-1) ?? '', /^1 file checked: 2 errors, 0 warnings$/);
  });

  it('checks folders, skips XML *.config files, and exits 0 without errors', async () => {
    const result = await tfod('validate', '--json', join(dir, 'label_map.pbtxt'));
    assert.equal(result.code, 0);
    const report = JSON.parse(result.stdout) as { files: { path: string }[]; errors: number };
    assert.equal(report.errors, 0);
    const folder = await tfod('validate', '--json', dir);
    const paths = (JSON.parse(folder.stdout) as { files: { path: string }[] }).files.map(
      (f) => f.path,
    );
    assert.ok(paths.some((p) => p.endsWith('pipeline.config')));
    assert.ok(paths.some((p) => p.endsWith('label_map.pbtxt')));
    assert.ok(!paths.some((p) => p.endsWith('web.config')), 'web.config is XML');
    assert.equal(folder.code, 1);
  });

  it('reports JSON with lines, columns, codes and origins', async () => {
    const result = await tfod('validate', '--json', join(dir, 'pipeline.config'));
    const report = JSON.parse(result.stdout) as {
      files: {
        diagnostics: {
          line: number;
          column: number;
          code: string;
          origin: string;
          severity: string;
        }[];
      }[];
    };
    const codes = report.files[0]?.diagnostics.map(
      (d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.origin}`,
    );
    assert.deepEqual(codes, [
      '5:18 error num-classes-below-label-map project',
      '134:3 error unknown-field schema',
    ]);
  });

  it('validates the whole real corpus without an error (corpus check)', async () => {
    const result = await tfod('validate', join(corpusDir(), 'tf1'), join(corpusDir(), 'labelmaps'));
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /71 files checked: 0 errors/);
  });

  it('fails with a user error for a missing path', async () => {
    const result = await tfod('validate', join(dir, 'nope.config'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tfod: error: .*nope\.config.*does not exist/m);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one clear line');
  });
});

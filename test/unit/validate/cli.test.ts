// `tfod validate` in-process: the validate command registered on the real program (as
// src/cli/program.ts does), its line format, JSON output, folders, and exit codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import { corpusDir } from '../textproto/corpus';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

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

  it('reports an unreadable file as an error of its own, still checks the others and prints the summary', async () => {
    // As a user who may not read the file (root reads everything, so run as nobody).
    const unreadable = join(dir, 'locked.config');
    cpSync(join(dir, 'pipeline.config'), unreadable);
    chmodSync(unreadable, 0o000);
    chmodSync(dir, 0o755);
    try {
      const result = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          cli,
          'validate',
          join(dir, 'label_map.pbtxt'),
          unreadable,
          '/dev/null',
        ],
        { encoding: 'utf8', cwd: dir },
      );
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stderr, '', 'no internal error, no stack trace');
      assert.match(
        result.stdout,
        /^locked\.config:1:1: error: cannot be read: permission denied; check its permissions/m,
      );
      assert.match(
        result.stdout,
        /^\/dev\/null:1:1: error: cannot be read: it is not a file or a folder/m,
      );
      assert.match(result.stdout, /^1 file checked, 2 could not be read: 2 errors, 0 warnings$/m);
    } finally {
      rmSync(unreadable, { force: true });
    }
  });

  it('says so when a folder holds nothing to check, with exit code 1', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tfod-validate-empty-'));
    try {
      const result = await tfod('validate', empty);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^tfod: error: no configs or label maps to check in .*tfod-validate-empty-/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reports 20,000 unclosed messages as one error that counts them', async () => {
    const deep = join(dir, 'deep.config');
    writeFileSync(deep, 'model { ssd { '.repeat(10_000));
    try {
      const result = await tfod('validate', deep);
      assert.equal(result.code, 1);
      const missing = result.stdout.split('\n').filter((l) => l.includes('Missing `}`'));
      assert.deepEqual(missing.length, 1, missing.slice(0, 3).join('\n'));
      assert.match(
        missing[0] as string,
        /to close `ssd \{`: the file ends inside it, and inside 19,999 more messages around it\.$/,
      );
    } finally {
      rmSync(deep, { force: true });
    }
  });

  it('cuts a path of megabytes in the middle when it quotes it', async () => {
    const config = join(dir, 'long-path.config');
    const path = `records/${'x'.repeat(5_000_000)}.record`;
    writeFileSync(
      config,
      `train_input_reader { tf_record_input_reader { input_path: "${path}" } }\n`,
    );
    try {
      const result = await tfod('validate', config);
      assert.equal(result.stderr, '', 'no internal error');
      const line = result.stdout.split('\n').find((l) => l.includes('No TFRecord file can match'));
      assert.ok(line, result.stdout.slice(0, 500));
      assert.ok(line.length < 600, `the warning is ${line.length} characters long`);
      assert.match(
        line,
        /`records\/x+…x+\.record` \(5,000,015 characters\): its file name is 5,000,007 bytes long, and file systems allow 255/,
      );
    } finally {
      rmSync(config, { force: true });
    }
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    const deep = join(dir, 'deep-pipe.config');
    writeFileSync(deep, 'model { ssd { '.repeat(20_000));
    try {
      const result = spawnSync(
        'bash',
        ['-c', `set -o pipefail; node ${cli} validate ${deep} | head -n 1 >/dev/null`],
        { encoding: 'utf8' },
      );
      // 141 as a tool stopped by SIGPIPE, or 1 (errors found) when all of it fit in the pipe.
      assert.ok([1, 141].includes(result.status ?? -1), `exit ${result.status}`);
      assert.doesNotMatch(result.stderr, /EPIPE|Error|at /, result.stderr);
    } finally {
      rmSync(deep, { force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

// scripts/test.mjs (`npm test`) in a scratch copy of the repository whose setup script really
// fails for one layer: that layer is reported as not run with the reason, the other layers still
// run, and the closing line and the exit code say so.
const root = join(__dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'tfod-runner-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(join(scratch, path, '..'), { recursive: true });
  writeFileSync(join(scratch, path), text);
}

function makeRepository(failingLayer: string) {
  for (const script of ['test.mjs', 'static-checks.mjs']) {
    mkdirSync(join(scratch, 'scripts'), { recursive: true });
    copyFileSync(join(root, 'scripts', script), join(scratch, 'scripts', script));
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  write('scripts/build.mjs', '');
  write('scripts/package.mjs', '');
  write(
    'test/harness/setup.sh',
    `if [ "$1" = "${failingLayer}" ]; then echo "setup: chromium cannot be installed: no apt" >&2; exit 1; fi\n`,
  );
  const passing = (name: string) =>
    `import { it } from 'node:test';\nit('${name} one', () => {});\nit('${name} two', () => {});\n`;
  write('test/unit/a.test.ts', passing('unit'));
  write('test/e2e/b.test.ts', passing('e2e'));
  write('test/e2e/c.test.ts', passing('e2e'));
}

describe('npm test (scripts/test.mjs) when one layer cannot be set up', () => {
  makeRepository('e2e');
  const run = spawnSync(
    process.execPath,
    [join(scratch, 'scripts', 'test.mjs'), '--layer', 'unit', '--layer', 'e2e'],
    { encoding: 'utf8', cwd: scratch },
  );
  const output = `${run.stdout}${run.stderr}`;

  it('runs the other layers', () => {
    assert.match(output, /^unit: 2 passed, 0 failed$/m, output);
  });

  it('reports the layer as not run, with its tests and the setup error', () => {
    assert.match(
      output,
      /^e2e: NOT RUN \(2 files, about 4 tests\): setting up the machine for e2e failed \(exit 1\): setup: chromium cannot be installed: no apt$/m,
      output,
    );
    assert.doesNotMatch(output, /packaging the \.vsix/, 'nothing is done for a layer not run');
  });

  it('closes with what passed, failed and could not run, and exits 1', () => {
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines[lines.length - 1], '2 passed, 0 failed, not run: e2e (about 4 tests)');
    assert.equal(run.status, 1);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

// Runs the bundled CLI exactly as `npm install -g` users get it (dist/cli.js is the package's bin).
const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');

function tfod(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tfod CLI', () => {
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\` first`);
  });

  it('is the package bin, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin.tfod, './dist/cli.js');
    assert.match(readFileSync(cli, 'utf8').split('\n')[0] ?? '', /^#!\/usr\/bin\/env node$/);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = tfod('--version');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), pkg.version);
  });

  it('--help describes the tool and its options', () => {
    const result = tfod('--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tfod /);
    assert.match(result.stdout, /locally in Docker/);
    assert.match(result.stdout, /--version/);
  });

  it('no arguments prints the help', () => {
    const result = tfod();
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tfod /);
  });

  it('a bad option is one clear line on stderr and a non-zero exit, no stack trace', () => {
    const result = tfod('--no-such-option');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /unknown option '--no-such-option'/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

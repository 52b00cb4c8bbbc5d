import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// Type checking, lint and formatting are part of `npm test`, so CI fails on any of them.
const root = join(__dirname, '..', '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : shellScripts(path);
    return entry.name.endsWith('.sh') ? [path] : [];
  });
}

describe('static checks', { concurrency: false }, () => {
  it('tsc --noEmit type-checks the whole tree in strict mode', () => {
    const result = run(bin('tsc'), ['--noEmit', '-p', '.']);
    assert.equal(result.code, 0, result.output);
  });

  it('tsc --noEmit type-checks every webview with the DOM types', () => {
    const webviews = readdirSync(join(root, 'media'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'icons')
      .map((entry) => join(root, 'media', entry.name, 'tsconfig.json'));
    assert.ok(webviews.length >= 1, 'at least one webview');
    for (const project of webviews) {
      const result = run(bin('tsc'), ['--noEmit', '-p', project]);
      assert.equal(result.code, 0, `${project}: ${result.output}`);
    }
  });

  it('eslint (with no-floating-promises) reports nothing', () => {
    const result = run(bin('eslint'), ['--max-warnings=0', '.']);
    assert.equal(result.code, 0, result.output);
  });

  it('prettier finds every file formatted', () => {
    const result = run(bin('prettier'), ['--check', '.']);
    assert.equal(result.code, 0, result.output);
  });

  it('shellcheck finds nothing in the shell scripts', () => {
    const containerBin = join(root, 'container', 'bin');
    const scripts = [
      ...shellScripts(join(root, 'test')),
      ...shellScripts(join(root, 'container')),
      ...readdirSync(containerBin).map((name) => join(containerBin, name)),
      join(root, '.ci', 'run'),
    ];
    assert.ok(scripts.length >= 3, `found ${scripts.length} shell scripts`);
    const result = run('shellcheck', scripts);
    assert.notEqual(
      result.code,
      null,
      'shellcheck is not installed: apt-get install -y shellcheck (npm test does)',
    );
    assert.equal(result.code, 0, result.output);
  });
});

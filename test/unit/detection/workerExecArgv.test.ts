import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { workerExecArgv } from '../../../src/detection/server/workerPool';

describe('workerExecArgv', () => {
  it("keeps the parent's module loader flags and drops everything else", () => {
    const argv = workerExecArgv([
      '--require',
      '/x/preflight.cjs',
      '--import',
      'file:///x/loader.mjs',
      '--inspect=9229',
      '--test',
      '--eval',
      'process.exit(3)',
      '--enable-source-maps',
      '--loader=tsx',
    ]);
    assert.deepEqual(
      argv.filter((arg) => !arg.startsWith('--heap-growing-percent')),
      [
        '--require',
        '/x/preflight.cjs',
        '--import',
        'file:///x/loader.mjs',
        '--enable-source-maps',
        '--loader=tsx',
      ],
    );
  });

  it('lets a worker heap grow to four times what lives before a major GC', () => {
    assert.ok(workerExecArgv([]).includes('--heap-growing-percent=300'));
  });

  it('gives flags this Node.js starts with', () => {
    // A flag Node.js or V8 no longer knew would stop every worker before it loaded the model.
    const out = execFileSync(
      process.execPath,
      [...workerExecArgv([]), '-e', 'process.stdout.write("started")'],
      { encoding: 'utf8' },
    );
    assert.equal(out, 'started');
  });
});

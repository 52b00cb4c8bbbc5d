import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { growHeapForServing, HEAP_GROWING_FLAG } from '../../../src/detection/server/heap';
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
      argv.filter((arg) => arg !== HEAP_GROWING_FLAG),
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
    assert.equal(HEAP_GROWING_FLAG, '--heap-growing-percent=300');
    assert.ok(workerExecArgv([]).includes(HEAP_GROWING_FLAG));
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

describe('growHeapForServing', () => {
  it("sets the workers' heap growing flag in this process", (t) => {
    const set = t.mock.method(v8, 'setFlagsFromString', () => undefined);
    growHeapForServing();
    assert.deepEqual(
      set.mock.calls.map((call) => call.arguments),
      [[HEAP_GROWING_FLAG]],
    );
  });

  it('sets a flag this Node.js takes while it runs', () => {
    // V8 ignores a flag it does not know, saying so on stderr only: the serving process would
    // go on collecting every few images without anyone noticing. The child runs the real
    // function, under this test's module loader (tsx).
    const run = (code: string, arg: string) =>
      spawnSync(
        process.execPath,
        [
          ...workerExecArgv(process.execArgv).filter((a) => a !== HEAP_GROWING_FLAG),
          '-e',
          code,
          '--',
          arg,
        ],
        { encoding: 'utf8' },
      );
    const heap = join(__dirname, '..', '..', '..', 'src', 'detection', 'server', 'heap.ts');
    const child = run(
      'require(process.argv[1]).growHeapForServing(); process.stdout.write("set")',
      heap,
    );
    assert.equal(child.stderr, '');
    assert.equal(child.stdout, 'set');
    // The same check notices a flag V8 does not know.
    const unknown = run(
      'require("node:v8").setFlagsFromString(process.argv[1])',
      '--no-such-flag=3',
    );
    assert.match(unknown.stderr, /unrecognized flag/);
  });
});

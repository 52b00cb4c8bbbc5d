import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CancelledError, UserError } from '../../../src/core/errors';
import type { TrainingJobDetails } from '../../../src/core/jobs/types';
import {
  eventFilesOf,
  findTensorBoard,
  installTensorBoard,
  ownTensorBoardEnv,
  tensorBoardUrl,
} from '../../../src/core/tensorboard';

const root = mkdtempSync(join(tmpdir(), 'tfod-tensorboard-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));

const details = (overrides: Partial<TrainingJobDetails>): TrainingJobDetails => ({
  target: 'local',
  name: 'j',
  id: '/ws/.tfod/jobs/j',
  status: 'Completed',
  creationTime: new Date(),
  hyperparameters: {},
  lastMetrics: {},
  statusHistory: [],
  ...overrides,
});

/**
 * A stand-in for python3 that does what venv and pip do to the file system: `-m venv DIR` makes
 * DIR/bin/python (itself), `-m pip install ... tensorboard` makes bin/tensorboard beside it.
 * FAKE_PIP=fail makes pip fail; FAKE_PIP=slow makes it wait.
 */
function fakePython(): string {
  const path = join(root, 'python3');
  writeFileSync(
    path,
    `#!/bin/sh
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && echo "created $3"; exit 0
fi
if [ "$1 $2" = "-m pip" ]; then
  [ "$FAKE_PIP" = slow ] && sleep 30
  echo "Collecting tensorboard"
  if [ "$FAKE_PIP" = fail ]; then echo "ERROR: No matching distribution found for tensorboard" >&2; exit 1; fi
  printf '#!/bin/sh\\necho tensorboard\\n' > "$(dirname "$0")/tensorboard" && chmod +x "$(dirname "$0")/tensorboard"
  echo "Successfully installed tensorboard-2.15.2"; exit 0
fi
exit 3
`,
    { mode: 0o755 },
  );
  return path;
}

describe('TensorBoard: where, which, and its address', () => {
  it('reads the address from the line TensorBoard prints, and nothing from other lines', () => {
    assert.equal(
      tensorBoardUrl('TensorBoard 2.15.2 at http://127.0.0.1:40123/ (Press CTRL+C to quit)'),
      'http://127.0.0.1:40123/',
    );
    assert.equal(
      tensorBoardUrl('TensorBoard 1.15.0 at http://vm:6006/ (Press CTRL+C to quit)'),
      'http://vm:6006/',
    );
    assert.equal(tensorBoardUrl('NOTE: Using experimental fast data loading logic.'), undefined);
    assert.equal(
      tensorBoardUrl('see https://github.com/tensorflow/tensorboard/issues/4784'),
      undefined,
    );
  });

  it("finds a local job's event files in its folder, a SageMaker job's at its TensorBoard path", () => {
    assert.deepEqual(eventFilesOf(details({})), {
      kind: 'folder',
      path: join('/ws/.tfod/jobs/j', 'output', 'tensorboard'),
    });
    assert.deepEqual(
      eventFilesOf(details({ target: 'sagemaker', tensorboardPath: 's3://b/out/j/tensorboard' })),
      { kind: 's3', uri: 's3://b/out/j/tensorboard' },
    );
    assert.throws(
      () => eventFilesOf(details({ target: 'sagemaker', name: 'old' })),
      (e: unknown) => e instanceof UserError && /training job old keeps no/.test(e.message),
    );
  });

  it('takes the configured TensorBoard, else our own, else the one on PATH; says when the configured one is missing', () => {
    const env = { HOME: join(root, 'home'), PATH: join(root, 'onpath') };
    assert.equal(findTensorBoard(undefined, env), undefined);
    mkdirSync(join(root, 'onpath'), { recursive: true });
    writeFileSync(join(root, 'onpath', 'tensorboard'), '', { mode: 0o755 });
    assert.deepEqual(findTensorBoard('', env), {
      path: join(root, 'onpath', 'tensorboard'),
      how: 'path',
    });
    const own = join(ownTensorBoardEnv(env), 'bin', 'tensorboard');
    mkdirSync(join(ownTensorBoardEnv(env), 'bin'), { recursive: true });
    writeFileSync(own, '', { mode: 0o755 });
    assert.deepEqual(findTensorBoard(undefined, env), { path: own, how: 'own' });
    assert.deepEqual(findTensorBoard(own, env), { path: own, how: 'configured' });
    assert.throws(
      () => findTensorBoard(join(root, 'nowhere', 'tensorboard'), env),
      /the TensorBoard set in tfod\.tensorboard\.path, .*nowhere.*, does not exist/,
    );
  });

  it('installs into its own environment only: venv, then pip, streaming their lines', async () => {
    const envDir = join(root, 'own-env');
    const lines: string[] = [];
    const path = await installTensorBoard({
      python: fakePython(),
      envDir,
      onLine: (line) => lines.push(line),
      env: { ...process.env, FAKE_PIP: '' },
    });
    assert.equal(path, join(envDir, 'bin', 'tensorboard'));
    assert.ok(existsSync(path));
    assert.deepEqual(lines, [
      `created ${envDir}`,
      'Collecting tensorboard',
      'Successfully installed tensorboard-2.15.2',
    ]);
  });

  it('says which step failed with its last lines when pip fails, and stops on cancel', async () => {
    await assert.rejects(
      installTensorBoard({
        python: fakePython(),
        envDir: join(root, 'failing-env'),
        env: { ...process.env, FAKE_PIP: 'fail' },
      }),
      (e: unknown) =>
        e instanceof UserError &&
        /pip install tensorboard failed \(exit 1\): .*No matching distribution found/.test(
          e.message,
        ) &&
        /PIP_INDEX_URL/.test(e.fix ?? ''),
    );
    const controller = new AbortController();
    const installing = installTensorBoard({
      python: fakePython(),
      envDir: join(root, 'slow-env'),
      env: { ...process.env, FAKE_PIP: 'slow' },
      signal: controller.signal,
      onLine: () => undefined,
    });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(installing, CancelledError);
    await assert.rejects(
      installTensorBoard({ python: '', env: { PATH: '' } }),
      /no Python found to install TensorBoard with/,
    );
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testCacheDir } from '../harness/services';

// Runs tf_records.py in the TensorFlow venv that test/harness/setup.sh makes for this layer.
const python = join(testCacheDir(), 'tensorflow', 'bin', 'python');
const script = join(__dirname, 'tf_records.py');

export function tf(...args: string[]): unknown {
  const result = spawnSync(python, [script, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  assert.equal(
    result.status,
    0,
    `${python} ${script} ${args.join(' ')}:\n${result.error?.message ?? result.stderr}`,
  );
  return JSON.parse(result.stdout);
}

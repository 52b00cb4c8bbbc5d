import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BASE_IMAGE, removeWorkspace, root } from './harness';

// `npm start` end to end on this machine, as a user runs it: no Docker Hub, so the base image is
// the stand-in made from Debian and PyPI; no download.tensorflow.org, so the job trains from
// scratch; then the trained model is served locally (on wasm, from its TF.js conversion) and
// answers a detection request. Its own image tag, so the user's tfod-sagemaker:2.9.1 is untouched.

const IMAGE = `tfod-start-e2e:${process.pid}`;

function npmStart(work: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'scripts', 'start.mjs'), '--skip-package', '--no-open', '--work-dir', work],
      {
        cwd: root,
        env: { ...process.env, TFOD_START_IMAGE: IMAGE, TFOD_TF_BASE_IMAGE: BASE_IMAGE },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm start with real TensorFlow', () => {
  const work = mkdtempSync(join(tmpdir(), 'tfod-start-real-'));

  after(() => {
    removeWorkspace(IMAGE, work);
    spawnSync('docker', ['rmi', '-f', IMAGE], { stdio: 'ignore' });
  });

  it('builds on the stand-in base, trains from scratch, serves the model and prints detections', async () => {
    const run = await npmStart(work);
    assert.equal(run.code, 0, run.output.slice(-6000));
    assert.match(run.output, /building a stand-in for it from Debian and PyPI/);
    assert.match(run.output, /tensorflow-base: \S+ is up to date|tensorflow-base: \S+ built in/);
    assert.match(run.output, new RegExp(`Built ${IMAGE.replace(/[.:]/g, '\\$&')} `));
    assert.match(
      run.output,
      /NOTE: the pre-trained checkpoint cannot be downloaded .* so the job trains from scratch/,
    );
    assert.match(run.output, /model_lib_v2\.py:\d+\] Step 50 per-step time/);
    assert.match(run.output, /start: training job sample-\d+ Completed/);
    assert.match(run.output, /detections in .*validation-000\.jpg \(confidence >= 0\.3\): \d+/);
    assert.match(run.output, /Stopped local endpoint sample-\d+-local\./);
    assert.ok(existsSync(join(work, '.tfod', 'sample', 'pipeline.config')));
  });
});

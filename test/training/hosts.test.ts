import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobFolder, removeWorkspace, sampleWorkspace, tfod, waitForJob } from './harness';

// A job on two instances as SageMaker runs it, with real TensorFlow 2.9 and the real Object
// Detection API: `tfod train --instance-count 2` on the local target starts two containers of the
// production image on one Docker network as algo-1 and algo-2, each with its own
// resourceconfig.json; `train` writes TF_CONFIG from it and the API's loop trains with
// MultiWorkerMirroredStrategy; the chief evaluates and exports.

const NUM_STEPS = 20;

describe('training on two hosts with real TensorFlow (MultiWorkerMirroredStrategy)', () => {
  let image: string;
  let workspace: string;
  let log = '';

  before(async () => {
    ({ image, workspace } = await sampleWorkspace('tfod-training-hosts-'));
  });

  after(() => {
    if (workspace) removeWorkspace(image, workspace);
  });

  it('trains in sync on algo-1 and algo-2, and the chief exports a model that Completes the job', async () => {
    const started = tfod(
      workspace,
      'train',
      '--name',
      'hosts',
      '--image',
      image,
      '--training',
      'sample',
      '--num-steps',
      String(NUM_STEPS),
      '--instance-count',
      '2',
    );
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr + started.stdout, /2 hosts run as 2 containers on this machine/);
    const status = await waitForJob(workspace, 'hosts', 1_500_000);
    log = tfod(workspace, 'logs', 'hosts').stdout;
    assert.equal(status.status, 'Completed', `${status.failureReason ?? ''}\n${log.slice(-4000)}`);

    // Both hosts joined one cluster of two replicas, and both ran the API's loop to the end.
    assert.match(
      log,
      /^(?!.*\[algo-2\]).*MultiWorkerMirroredStrategy: worker 1 of 2, 2 replica\(s\) in sync/m,
    );
    assert.match(
      log,
      /\[algo-2\] .*MultiWorkerMirroredStrategy: worker 2 of 2, 2 replica\(s\) in sync/,
    );
    assert.match(
      log,
      new RegExp(
        `^(?!.*\\[algo-2\\]).*model_lib_v2\\.py:\\d+\\] Step ${NUM_STEPS} per-step time`,
        'm',
      ),
    );
    assert.match(
      log,
      new RegExp(`\\[algo-2\\] .*model_lib_v2\\.py:\\d+\\] Step ${NUM_STEPS} per-step time`),
    );
    assert.match(log, /\[algo-2\] \[tfod\] done on algo-2: the chief \(algo-1\) exports the model/);
    // The chief's checkpoint is at num_steps; it evaluated and exported.
    assert.match(
      log,
      new RegExp(`\\[tfod\\] newest checkpoint: \\S+ckpt-\\d+ \\(step ${NUM_STEPS}\\)`),
    );
    assert.match(log, /exporter_main_v2/);
  });

  it("keeps the chief's checkpoints and model; the worker's model folder is empty", () => {
    const folder = jobFolder(workspace, 'hosts');
    assert.ok(existsSync(join(folder, 'checkpoints', 'checkpoint')));
    assert.deepEqual(readdirSync(join(folder, 'hosts', 'algo-2', 'model')), []);
    // The API's loop deleted the worker's temporary checkpoint folders.
    assert.ok(!existsSync(join(folder, 'hosts', 'algo-2', 'checkpoints', 'checkpoint')));
    const listing = execFileSync('tar', ['-tzf', join(folder, 'output', 'model.tar.gz')], {
      encoding: 'utf8',
    });
    assert.match(listing, /^saved_model\/saved_model\.pb$/m);
    assert.match(listing, /^label_map\.pbtxt$/m);
  });
});

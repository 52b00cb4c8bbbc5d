import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  chooseModelDir,
  describeModelDir,
  newestCheckpoint,
  resumePastNumSteps,
} from '../../../container/src/training/checkpoints';
import { trainingPaths } from '../../../container/src/training/environment';

// Where `train` keeps the API's model_dir: in /opt/ml/checkpoints when that folder exists (what
// SageMaker syncs with CheckpointConfig and restores on a spot restart, what the local target
// mounts), so the API's loop resumes from the newest checkpoint; else scratch under /opt/ml/work.
describe('train: the model_dir and resuming from checkpoints', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tfod-ckpt-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const touch = (dir: string, ...names: string[]): void => {
    mkdirSync(dir, { recursive: true });
    for (const name of names) writeFileSync(join(dir, name), '');
  };

  it('keeps scratch space under /opt/ml/work when there is no checkpoints folder', () => {
    const paths = trainingPaths(root);
    const choice = chooseModelDir(paths, 2, {});
    assert.deepEqual(choice, { modelDir: join(root, 'work', 'train'), checkpointing: false });
    assert.match(describeModelDir(choice)[0] ?? '', /scratch/);
  });

  it('uses /opt/ml/checkpoints when it exists, and starts fresh when it is empty', () => {
    const paths = trainingPaths(root);
    mkdirSync(join(root, 'checkpoints'));
    const choice = chooseModelDir(paths, 2, {});
    assert.deepEqual(choice, { modelDir: join(root, 'checkpoints'), checkpointing: true });
    assert.equal(describeModelDir(choice).length, 1, 'no resume line');
  });

  it('TFOD_CHECKPOINTS=on creates the folder; =off keeps scratch even when it exists', () => {
    const paths = trainingPaths(root);
    const on = chooseModelDir(paths, 2, { TFOD_CHECKPOINTS: 'on' });
    assert.equal(on.modelDir, join(root, 'checkpoints'));
    assert.ok(existsSync(join(root, 'checkpoints')));
    const off = chooseModelDir(paths, 2, { TFOD_CHECKPOINTS: 'off' });
    assert.equal(off.checkpointing, false);
    assert.equal(off.modelDir, join(root, 'work', 'train'));
  });

  it('TF1: resumes from the newest model.ckpt-N and logs its step', () => {
    const dir = join(root, 'checkpoints');
    touch(
      dir,
      'model.ckpt-100.index',
      'model.ckpt-100.data-00000-of-00001',
      'model.ckpt-900.index',
      'model.ckpt-1000.index',
      'graph.pbtxt',
    );
    const choice = chooseModelDir(trainingPaths(root), 1, {});
    assert.deepEqual(choice.resume, { checkpoint: join(dir, 'model.ckpt-1000'), step: 1000 });
    assert.deepEqual(
      describeModelDir(choice).at(-1),
      `[tfod] resuming from checkpoint ${join(dir, 'model.ckpt-1000')} (step 1000)`,
    );
  });

  it("TF1: refuses a checkpoint past num_steps (another job's checkpoints), saying which", () => {
    const dir = join(root, 'checkpoints');
    touch(dir, 'model.ckpt-5000.index');
    const choice = chooseModelDir(trainingPaths(root), 1, {});
    assert.equal(
      resumePastNumSteps(choice, 5000),
      undefined,
      'at num_steps: nothing left to train',
    );
    assert.equal(
      resumePastNumSteps(choice, 1000),
      `the checkpoints folder ${dir} holds a checkpoint at step 5000, past num_steps 1000 (another job's checkpoints?)`,
    );
    assert.equal(resumePastNumSteps(chooseModelDir(trainingPaths(root), 2, {}), 1), undefined);
  });

  it("TF2: takes the checkpoint TensorFlow's state file names; its step is the runner's to log", () => {
    const dir = join(root, 'checkpoints');
    touch(dir, 'ckpt-1.index', 'ckpt-2.index', 'ckpt-3.index');
    // The state file names ckpt-2 (ckpt-3's save was interrupted before the state was written).
    writeFileSync(
      join(dir, 'checkpoint'),
      `model_checkpoint_path: "${dir}/ckpt-2"\nall_model_checkpoint_paths: "${dir}/ckpt-1"\n`,
    );
    const choice = chooseModelDir(trainingPaths(root), 2, {});
    assert.deepEqual(choice.resume, { checkpoint: join(dir, 'ckpt-2') });
    assert.equal(
      describeModelDir(choice).some((line) => line.includes('resuming')),
      false,
      'TF2 numbers saves, not steps: od_api_tf2.py logs the step it reads from the checkpoint',
    );
  });

  it('falls back to the highest index when the state file names one that is missing', () => {
    const dir = join(root, 'c');
    touch(dir, 'ckpt-4.index', 'ckpt-7.index');
    writeFileSync(join(dir, 'checkpoint'), 'model_checkpoint_path: "ckpt-9"\n');
    assert.deepEqual(newestCheckpoint(dir, 2), { checkpoint: join(dir, 'ckpt-7') });
    assert.equal(newestCheckpoint(dir, 1), undefined, 'no TF1 checkpoints there');
    assert.equal(newestCheckpoint(join(root, 'missing'), 2), undefined);
  });
});

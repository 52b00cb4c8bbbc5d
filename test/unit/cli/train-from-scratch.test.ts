import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

// `tfod train` on the local target says before a job starts that it will train from scratch: its
// config names a pre-trained checkpoint, and there is none (no --checkpoint, none in the training
// folder). The engine here is a socket that does not exist, so no job starts; the warning comes first.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

function train(cwd: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [cli, 'train', '--target', 'local', '--image', 'tfod-sagemaker:2.9.1', ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: `unix://${cwd}/no-docker.sock` } },
  );
  return { code: result.status, stderr: result.stderr };
}

describe('tfod train: training from scratch is said before the job starts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-scratch-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(
      join(dir, 'data', 'pipeline.config'),
      'train_config {\n  fine_tune_checkpoint: "zoo/checkpoint/ckpt-0"\n}\n',
    );
    writeFileSync(join(dir, 'data', 'train.record'), 'records');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('warns, naming the checkpoint and how to fine-tune, when there is no checkpoint', () => {
    const result = train(dir, '--training', 'data');
    assert.match(
      result.stderr,
      /tfod: warning: pipeline\.config starts from fine_tune_checkpoint "zoo\/checkpoint\/ckpt-0", but the job has no checkpoint .* it trains from scratch\. Pass --checkpoint/,
    );
    assert.notEqual(result.code, 0, 'no engine, no job');
  });

  it('says nothing when the checkpoint is in the training folder or given', () => {
    const zoo = join(dir, 'data', 'zoo', 'checkpoint');
    mkdirSync(zoo, { recursive: true });
    writeFileSync(join(zoo, 'ckpt-0.index'), 'index');
    writeFileSync(join(zoo, 'ckpt-0.data-00000-of-00001'), 'data');
    assert.doesNotMatch(train(dir, '--training', 'data').stderr, /from scratch/);
    assert.doesNotMatch(
      train(dir, '--training', 'data', '--checkpoint', 'data/zoo').stderr,
      /from scratch/,
    );
  });
});

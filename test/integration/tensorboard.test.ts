import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../src/cli/program';
import { UserError } from '../../src/core/errors';
import type { TrainingJobDetails } from '../../src/core/jobs/types';
import {
  finishedStatus,
  startingStatus,
  trainingStarted,
  type JobRecord,
} from '../../src/core/local/jobState';
import { jobPaths } from '../../src/core/local/layout';
import { ensureBucket } from '../../src/core/s3/bucket';
import { createS3Client } from '../../src/core/s3/client';
import {
  launchTensorBoard,
  startTensorBoard,
  syncS3EventFiles,
  type RunningTensorBoard,
} from '../../src/core/tensorboard';
import { testCacheDir, useMoto } from './harness/services';

// Real TensorBoard (the one the TensorFlow test environment brings) on event files real
// TensorFlow writes, local and copied from S3 (moto) through the real SDK.
const venv = join(testCacheDir(), 'tensorflow', 'bin');
const TENSORBOARD = join(venv, 'tensorboard');
const root = mkdtempSync(join(tmpdir(), 'tfod-tensorboard-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Event files of `runs` (run name -> its loss values), written by tf.summary. */
function writeEvents(dir: string, runs: Record<string, number[]>): void {
  const script = `
import sys, json, tensorflow as tf
runs = json.loads(sys.argv[2])
for run, values in runs.items():
    writer = tf.summary.create_file_writer(sys.argv[1] + "/" + run)
    with writer.as_default():
        for step, value in enumerate(values):
            tf.summary.scalar("Loss/total_loss", value, step=step * 100)
    writer.close()
`;
  execFileSync(join(venv, 'python'), ['-c', script, dir, JSON.stringify(runs)], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function job(overrides: Partial<TrainingJobDetails>): TrainingJobDetails {
  return {
    target: 'local',
    name: 'job',
    id: join(root, 'none'),
    status: 'Completed',
    creationTime: new Date(),
    hyperparameters: {},
    lastMetrics: {},
    statusHistory: [],
    ...overrides,
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.json();
}

/** The loss values TensorBoard serves for a run. */
async function losses(board: RunningTensorBoard, run: string): Promise<number[]> {
  const url = new URL('data/plugin/scalars/scalars', board.url);
  url.searchParams.set('run', run);
  url.searchParams.set('tag', 'Loss/total_loss');
  // Rows of [wall time, step, value].
  const rows = (await getJson(url.href)) as Array<[number, number, number]>;
  return rows.map((row) => Number(row[2].toFixed(4)));
}

/** Polls `check` until it is true, at most `tries` times 250 ms apart. */
async function eventually(check: () => Promise<boolean> | boolean, tries = 240): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail('the condition never became true');
}

describe('TensorBoard on a job’s event files (real TensorBoard and TensorFlow)', () => {
  before(() => {
    assert.ok(
      existsSync(TENSORBOARD),
      `${TENSORBOARD} is missing: run test/harness/setup.sh integration (the TensorFlow environment)`,
    );
  });

  it("serves a local job's output/tensorboard: its runs and their loss values", async () => {
    const folder = join(root, 'local-job');
    writeEvents(join(folder, 'output', 'tensorboard'), { train: [2, 1.5, 0.75], eval: [1.25] });
    const board = await launchTensorBoard({
      job: job({ id: folder, name: 'local-job' }),
      executable: TENSORBOARD,
    });
    try {
      assert.match(board.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      await eventually(async () => {
        const tags = (await getJson(new URL('data/plugin/scalars/tags', board.url).href)) as Record<
          string,
          unknown
        >;
        return 'train' in tags && 'eval' in tags;
      });
      assert.deepEqual(await losses(board, 'train'), [2, 1.5, 0.75]);
      assert.deepEqual(await losses(board, 'eval'), [1.25]);
    } finally {
      board.stop();
    }
    assert.match(await board.exited, /stopped|exited/);
  });

  it('says why, and starts nothing, when a finished local job has no event files', async () => {
    await assert.rejects(
      launchTensorBoard({
        job: job({ id: join(root, 'empty-job'), name: 'empty-job', status: 'Failed' }),
        executable: TENSORBOARD,
      }),
      (error: unknown) =>
        error instanceof UserError &&
        /training job empty-job wrote no TensorFlow event files/.test(error.message),
    );
    assert.equal(existsSync(join(root, 'empty-job')), false, 'no folder made for it');
  });

  it('reports a TensorBoard that cannot run or that exits before serving, with its output', async () => {
    await assert.rejects(
      startTensorBoard(join(root, 'no-such-tensorboard'), root),
      /cannot run TensorBoard .*no-such-tensorboard/,
    );
    const failing = join(root, 'failing-tensorboard');
    writeFileSync(failing, '#!/bin/sh\necho "E1204 bad flag --logdir" >&2\nexit 2\n', {
      mode: 0o755,
    });
    await assert.rejects(startTensorBoard(failing, root), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /TensorBoard exited \(2\) before it served: E1204 bad flag/);
      return true;
    });
  });

  it('tfod tensorboard <job> serves a local job until Ctrl+C; without a TensorBoard it says how to get one', async () => {
    const workspace = join(root, 'workspace');
    const paths = jobPaths(workspace, 'cli-job');
    mkdirSync(paths.root, { recursive: true });
    const record: JobRecord = {
      name: 'cli-job',
      image: 'tfod:2.9.1',
      instanceType: 'local',
      instanceCount: 1,
      volumeSizeGb: 30,
      maxRuntimeSeconds: 3600,
      outputPath: join(workspace, '.tfod', 'jobs'),
      hyperparameters: { num_steps: '100' },
      channels: { training: workspace },
      gpu: false,
      containerName: 'tfod-train-cli-job',
      creationTime: new Date().toISOString(),
    };
    writeFileSync(paths.jobFile, JSON.stringify(record));
    const now = new Date();
    writeFileSync(
      paths.statusFile,
      JSON.stringify(
        finishedStatus(
          trainingStarted(startingStatus(now), now, 'c'),
          { status: 'Completed' },
          now,
          {
            exitCode: 0,
          },
        ),
      ),
    );
    writeEvents(join(paths.output, 'tensorboard'), { train: [4, 3] });
    const cwd = process.cwd();
    process.chdir(workspace);
    try {
      let stdout = '';
      let stderr = '';
      const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
      const running = runCli(['tensorboard', 'cli-job', '--tensorboard', TENSORBOARD], io);
      await eventually(() => /TensorBoard for cli-job: http/.test(stdout));
      const url = /(http:\/\/\S+)/.exec(stdout)?.[1] as string;
      await eventually(async () => {
        const tags = (await getJson(new URL('data/plugin/scalars/tags', url).href)) as object;
        return 'train' in tags;
      });
      // Ctrl+C: the CLI's SIGINT listener ends it, as the terminal's signal would.
      process.emit('SIGINT');
      assert.equal(await running, 0, stderr);
      assert.match(stderr, /TensorBoard stopped/);

      // No TensorBoard anywhere: the way to get one, exit 1, nothing started.
      const previous = { PATH: process.env.PATH, XDG: process.env.XDG_CACHE_HOME };
      process.env.PATH = '';
      process.env.XDG_CACHE_HOME = join(root, 'empty-cache');
      try {
        stderr = '';
        assert.equal(await runCli(['tensorboard', 'cli-job'], io), 1);
        assert.match(stderr, /TensorBoard is not installed .*pip install tensorboard.*--install/);
      } finally {
        process.env.PATH = previous.PATH;
        if (previous.XDG === undefined) delete process.env.XDG_CACHE_HOME;
        else process.env.XDG_CACHE_HOME = previous.XDG;
      }
    } finally {
      process.chdir(cwd);
    }
  });

  describe('a SageMaker job: event files copied from S3 (moto)', () => {
    let moto: ReturnType<typeof useMoto>;
    let s3: S3Client;
    const bucket = `tfod-tensorboard-${process.pid}`;
    const prefix = 'output/sm-job/tensorboard';
    const put = (key: string, body: Buffer | string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

    before(async () => {
      moto = useMoto();
      s3 = createS3Client({});
      await ensureBucket(s3, bucket, { create: true });
      const events = join(root, 'sm-events');
      writeEvents(events, { train: [3, 2], eval: [2.5] });
      for (const run of ['train', 'eval'])
        for (const name of readdirSync(join(events, run)))
          await put(`${prefix}/${run}/${name}`, readFileSync(join(events, run, name)));
      await put(`${prefix}/notes.txt`, 'not an event file');
      await put('output/other-job/tensorboard/train/events.out.tfevents.1.other', 'x');
    });
    after(() => {
      s3?.destroy();
      moto?.restore();
    });

    it('copies only the event files under the prefix, keeping their folders; only changed ones again', async () => {
      const dir = join(root, 'sync');
      const first = await syncS3EventFiles(s3, `s3://${bucket}/${prefix}`, dir);
      assert.deepEqual(first, { files: 2, downloaded: 2 });
      assert.deepEqual(readdirSync(dir).sort(), ['eval', 'train']);
      const again = await syncS3EventFiles(s3, `s3://${bucket}/${prefix}/`, dir);
      assert.deepEqual(again, { files: 2, downloaded: 0 });
    });

    it('serves them, and copies new event files while the job runs', async () => {
      const cache = join(root, 'xdg');
      const board = await launchTensorBoard({
        job: job({
          target: 'sagemaker',
          name: 'sm-job',
          id: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/sm-job',
          status: 'InProgress',
          tensorboardPath: `s3://${bucket}/${prefix}`,
        }),
        executable: TENSORBOARD,
        s3: { client: s3 },
        refreshMs: 200,
        env: { ...process.env, XDG_CACHE_HOME: cache },
      });
      try {
        assert.equal(board.logdir, join(cache, 'tfod-sagemaker', 'tensorboard', 'sm-job'));
        await eventually(async () => (await losses(board, 'train').catch(() => [])).length === 2);
        assert.deepEqual(await losses(board, 'train'), [3, 2]);
        // A new run appears in S3 while the job runs: it is copied down on the next refresh.
        await put(`${prefix}/eval_1/events.out.tfevents.2.host`, 'later');
        await eventually(() => existsSync(join(board.logdir, 'eval_1')));
      } finally {
        board.stop();
      }
      await board.exited;
    });

    it('refuses a SageMaker job that kept no event files', async () => {
      await assert.rejects(
        launchTensorBoard({
          job: job({ target: 'sagemaker', name: 'old-job', status: 'Completed' }),
          executable: TENSORBOARD,
          s3: { client: s3 },
        }),
        /training job old-job keeps no TensorFlow event files/,
      );
    });
  });
});

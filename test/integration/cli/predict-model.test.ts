import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerTarget } from '../../../src/core/sagemaker';
import {
  finishedStatus,
  startingStatus,
  trainingStarted,
  uploadingStatus,
  type JobRecord,
} from '../../../src/core/local/jobState';
import { writeModelArchive } from '../../../src/core/local/modelArchive';
import { sampleSpec } from '../../unit/sagemaker/fixtures';
import { useMoto } from '../harness/services';
import { fixtures } from '../serving/fixtures';
import { assertOneLineError, cli, motoEnv, type CliResult } from './harness';

// `tfod predict --model` takes what a user has after training: a job's name (local or SageMaker),
// or the s3:// URI of its model.tar.gz. Each must give the same detections as the model folder.
describe('tfod predict --model <job|s3-uri>', () => {
  let env: NodeJS.ProcessEnv;
  let moto: ReturnType<typeof useMoto>;
  let workspace: string;
  let archive: string;
  let photo: string;
  let reference: number[][];
  const run = `${process.pid}-${Date.now() % 100000}`;
  const bucket = `tfod-predict-${run}`;

  function tfod(...args: string[]): Promise<CliResult> {
    return tfodWith(env, ...args);
  }

  function tfodWith(environment: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: workspace,
        env: environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function predictions(model: string, ...flags: string[]): Promise<number[][]> {
    const result = await tfod('predict', photo, '--model', model, '--json', '-t', '0.3', ...flags);
    assert.equal(result.code, 0, result.stderr);
    const [first] = JSON.parse(result.stdout) as { prediction: number[][] }[];
    assert.ok(first);
    return first.prediction;
  }

  /** A local job as the local target leaves it: job.json and status.json under .tfod/jobs. */
  function writeLocalJob(name: string, done: boolean): void {
    const root = join(workspace, '.tfod', 'jobs', name);
    mkdirSync(join(root, 'output'), { recursive: true });
    const created = new Date(Date.UTC(2026, 11, 4, 12, 0, 0));
    const job: JobRecord = {
      name,
      image: 'tfod-sagemaker:2.9.1',
      instanceType: 'local',
      instanceCount: 1,
      volumeSizeGb: 30,
      maxRuntimeSeconds: 3600,
      outputPath: join(workspace, '.tfod', 'jobs'),
      hyperparameters: { num_steps: '100' },
      channels: { training: join(workspace, 'data') },
      gpu: false,
      containerName: `tfod-train-test-${name}`,
      creationTime: created.toISOString(),
    };
    writeFileSync(join(root, 'job.json'), JSON.stringify(job));
    const training = trainingStarted(
      startingStatus(created),
      new Date(created.getTime() + 1000),
      'c',
    );
    const modelArtifacts = join(root, 'output', 'model.tar.gz');
    if (done) writeFileSync(modelArtifacts, readFileSync(archive));
    const status = done
      ? finishedStatus(
          uploadingStatus(training, new Date(created.getTime() + 2000)),
          { status: 'Completed' },
          new Date(created.getTime() + 3000),
          { exitCode: 0, modelArtifacts, finalMetrics: {} },
        )
      : training;
    writeFileSync(join(root, 'status.json'), JSON.stringify(status));
  }

  before(async () => {
    moto = useMoto();
    env = motoEnv();
    workspace = mkdtempSync(join(tmpdir(), 'tfod-predict-model-'));
    archive = join(workspace, 'coco-model.tar.gz');
    await writeModelArchive(fixtures().modelDir, archive);
    photo = fixtures().photoPath('chelsea');
    reference = await predictions(fixtures().modelDir);
    assert.ok(reference.length > 0, 'the COCO model finds the cat');
  });
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
    moto?.restore();
  });

  it("a local job's name runs the job's model.tar.gz", async () => {
    writeLocalJob('finished-job', true);
    assert.deepEqual(await predictions('finished-job'), reference);
  });

  it('a local job without a model, and a name that is nothing, say so in one line', async () => {
    // Left Training with no container: the local target finds it lost, so Failed.
    writeLocalJob('lost-job', false);
    assertOneLineError(
      await tfod('predict', photo, '--model', 'lost-job'),
      /training job 'lost-job' has no model \(it is Failed\)\. Use a job that Completed/,
    );
    assertOneLineError(
      await tfod('predict', photo, '--model', 'no-such-thing'),
      /'no-such-thing' is not a model folder or file here, nor a training job: training job 'no-such-thing' was not found/,
    );
  });

  it('an s3:// URI is downloaded, run, and its temporary copy removed', async () => {
    const s3 = new S3Client({});
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'models/coco/model.tar.gz',
          Body: readFileSync(archive),
        }),
      );
    } finally {
      s3.destroy();
    }
    const scratch = mkdtempSync(join(tmpdir(), 'tfod-predict-tmp-'));
    try {
      // The download and its unpacked copy go to TMPDIR, and nothing may be left there.
      const result = await tfodWith(
        { ...env, TMPDIR: scratch },
        'predict',
        photo,
        '--model',
        `s3://${bucket}/models/coco/model.tar.gz`,
        '--json',
        '-t',
        '0.3',
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        (JSON.parse(result.stdout) as { prediction: number[][] }[])[0]?.prediction,
        reference,
      );
      assert.deepEqual(readdirSync(scratch), [], 'temporary copies removed');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const missing = await tfod('predict', photo, '--model', `s3://${bucket}/models/none.tar.gz`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /none\.tar\.gz/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });

  it("a SageMaker job's name runs its S3ModelArtifacts (--target sagemaker)", async () => {
    const jobName = `tfod-predict-job-${run}`;
    const target = new SageMakerTarget({ session: { region: 'us-east-1' } });
    try {
      await target.startTrainingJob(
        sampleSpec({ name: jobName, outputPath: `s3://${bucket}/output/` }),
      );
      const job = await target.describeTrainingJob(jobName);
      assert.equal(job.modelArtifacts, `s3://${bucket}/output/${jobName}/output/model.tar.gz`);
    } finally {
      target.dispose();
    }
    const s3 = new S3Client({});
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `output/${jobName}/output/model.tar.gz`,
          Body: readFileSync(archive),
        }),
      );
    } finally {
      s3.destroy();
    }
    assert.deepEqual(await predictions(jobName, '--target', 'sagemaker'), reference);
  });
});

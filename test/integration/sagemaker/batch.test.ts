import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import type { BatchSummary } from '../../../src/core/batch';
import { CancelledError } from '../../../src/core/errors';
import { createS3Client } from '../../../src/core/s3';
import {
  runTransformBatch,
  SageMakerTarget,
  type TransformBatchProgress,
} from '../../../src/core/sagemaker';
import { sampleSpec } from '../../unit/sagemaker/fixtures';
import { motoEnv, tfod } from '../cli/harness';
import { useMoto } from '../harness/services';
import { fixtures } from '../serving/fixtures';
import { guardSdkBoundary, type BoundaryCall } from './harness';

// Batch detection as a SageMaker transform job, through the real SDK to moto. moto records the
// transform job (CreateTransformJob, DescribeTransformJob) but runs no container and reports it
// Completed at once, so the test writes the `<image>.out` answers SageMaker would; it lacks
// StopTransformJob, which the boundary answers after the AWS CLI's check (harness.ts).
describe('batch detection on SageMaker against moto', () => {
  let moto: ReturnType<typeof useMoto>;
  let target: SageMakerTarget;
  let s3: S3Client;
  let calls: BoundaryCall[];
  const run = `${process.pid}-${Date.now() % 100000}`;
  const jobName = `tfod-batch-${run}`;
  const bucket = `tfod-batch-${run}`;

  before(async () => {
    moto = useMoto();
    target = new SageMakerTarget();
    calls = guardSdkBoundary(target.clients.sagemaker);
    s3 = createS3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await target.startTrainingJob(sampleSpec({ name: jobName }));
    const put = (key: string, body: Uint8Array | string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await put('images/chelsea.png', fixtures().photo('chelsea'));
    await put('images/more/coffee.png', fixtures().photo('coffee'));
    // What the image's serve answered for chelsea, as SageMaker stores it; coffee has none.
    await put(
      'detections/chelsea.png.out',
      JSON.stringify({ prediction: [[17, 0.93, 0, 0.01, 0.9, 0.99]] }),
    );
  });
  after(() => {
    s3?.destroy();
    target?.dispose();
    moto?.restore();
  });

  async function read(key: string): Promise<string> {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await answer.Body?.transformToString()) ?? '';
  }

  it('creates the model and transform job moto accepts, waits, and gathers results.jsonl', async () => {
    const job = await target.describeTrainingJob(jobName);
    const progress: TransformBatchProgress[] = [];
    const result = await runTransformBatch(
      { sagemaker: target.clients.sagemaker, s3 },
      job,
      {
        input: `s3://${bucket}/images/`,
        output: `s3://${bucket}/detections/`,
        instanceType: 'ml.m5.large',
        threshold: 0.5,
      },
      { pollIntervalMs: 10, onProgress: (p) => progress.push(p) },
    );
    assert.deepEqual(
      calls.filter((c) => /Model|Transform/.test(c.operation)).map((c) => [c.operation, c.faked]),
      [
        ['CreateModel', false],
        ['CreateTransformJob', false],
      ],
    );
    const described = await target.clients.sagemaker.send(
      new DescribeTransformJobCommand({ TransformJobName: result.transformJob }),
    );
    assert.equal(described.ModelName, jobName);
    assert.equal(described.BatchStrategy, 'SingleRecord');
    assert.equal(described.MaxPayloadInMB, 1);
    assert.equal(described.TransformInput?.ContentType, 'image/png');
    assert.equal(described.TransformInput?.SplitType, 'None');
    assert.equal(
      described.TransformInput?.DataSource?.S3DataSource?.S3Uri,
      `s3://${bucket}/images/`,
    );
    assert.equal(described.TransformOutput?.S3OutputPath, `s3://${bucket}/detections/`);
    assert.equal(described.TransformJobStatus, 'Completed'); // moto completes at once
    assert.deepEqual(
      progress.map((p) => p.phase),
      ['list', 'model', 'create', 'wait', 'gather'],
    );
    assert.equal(result.status, 'Completed');
    const lines = (await read('detections/results.jsonl'))
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { image: string; prediction?: number[][]; error?: string },
      );
    assert.deepEqual(lines[0], {
      image: 'chelsea.png',
      prediction: [[17, 0.93, 0, 0.01, 0.9, 0.99]],
    });
    assert.equal(lines[1]?.image, 'more/coffee.png');
    assert.match(lines[1]?.error ?? '', /SageMaker wrote no answer/);
    const summary = JSON.parse(await read('detections/summary.json')) as BatchSummary;
    assert.equal(summary.images, 2);
    assert.equal(summary.failed, 1);
    assert.deepEqual(summary.classes, [{ id: 17, detections: 1, images: 1 }]);
    assert.equal(summary.transformJob, result.transformJob);
  });

  it('stops the transform job when cancelled (StopTransformJob faked: moto lacks it)', async () => {
    const job = await target.describeTrainingJob(jobName);
    const controller = new AbortController();
    // moto's job is Completed at once: cancel as soon as it is created, before the first wait.
    target.clients.sagemaker.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'CreateTransformJobCommand') controller.abort();
        return result;
      },
      { step: 'initialize', name: 'cancelAfterCreate' },
    );
    try {
      await assert.rejects(
        runTransformBatch(
          { sagemaker: target.clients.sagemaker, s3 },
          job,
          {
            input: `s3://${bucket}/images/`,
            output: `s3://${bucket}/cancelled/`,
            instanceType: 'ml.m5.large',
            threshold: 0.5,
            transformJobName: `cancelled-${run}`,
          },
          { pollIntervalMs: 10, signal: controller.signal },
        ),
        CancelledError,
      );
    } finally {
      target.clients.sagemaker.middlewareStack.remove('cancelAfterCreate');
    }
    const stop = calls.at(-1);
    assert.deepEqual(stop, {
      operation: 'StopTransformJob',
      input: { TransformJobName: `cancelled-${run}` },
      faked: true,
    });
  });

  it('tfod batch <job> --input s3://… prints the summary and says where results.jsonl is', async () => {
    const result = await tfod(
      motoEnv(),
      'batch',
      jobName,
      '--input',
      `s3://${bucket}/images/`,
      '--output',
      `s3://${bucket}/cli/`,
      '--poll',
      '1',
      '--json',
    );
    // No answers under cli/: both images fail, and the exit code says so.
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Transform job .* is Completed: 0 of 2 images/);
    assert.match(result.stderr, new RegExp(`Results: s3://${bucket}/cli/results.jsonl`));
    const summary = JSON.parse(result.stdout) as BatchSummary;
    assert.equal(summary.images, 2);
    assert.equal(summary.failed, 2);
    assert.equal(summary.input, `s3://${bucket}/images/`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { CancelledError, UserError } from '../../../src/core/errors';
import type { TrainingJobDetails } from '../../../src/core/jobs/types';
import {
  buildCreateTransformJobRequest,
  lineFromTransformOutput,
  maxPayloadMb,
  outputKeyFor,
  runTransformBatch,
  transformContentType,
  transformRequestProblems,
  type TransformBatchProgress,
} from '../../../src/core/sagemaker';
import { assertValidRequest, validateWithAwsCli } from './awsCli';
import { completedJob, IMAGE } from './fixtures';
import { StubClient, notFound } from './stubs';

const JOB: TrainingJobDetails = completedJob('pets');
const NOW = (): Date => new Date(Date.UTC(2024, 1, 1, 12, 0, 0));
const REQUEST = {
  input: 's3://bucket/images',
  output: 's3://bucket/detections/',
  instanceType: 'ml.m5.large',
  threshold: 0.6,
};

describe('transform job requests', () => {
  it('sends one image per request to the model and passes the AWS CLI validation', () => {
    const request = buildCreateTransformJobRequest({
      transformJobName: 'pets-batch-20240201-120000',
      modelName: 'pets',
      inputUri: 's3://bucket/images/',
      outputUri: 's3://bucket/detections/',
      contentType: 'image/jpeg',
      maxPayloadMb: 3,
      instanceType: 'ml.m5.large',
      tags: { project: 'pets' },
    });
    assert.deepEqual(request, {
      TransformJobName: 'pets-batch-20240201-120000',
      ModelName: 'pets',
      BatchStrategy: 'SingleRecord',
      MaxPayloadInMB: 3,
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/images/' } },
        ContentType: 'image/jpeg',
        SplitType: 'None',
        CompressionType: 'None',
      },
      TransformOutput: {
        S3OutputPath: 's3://bucket/detections/',
        Accept: 'application/json',
        AssembleWith: 'None',
      },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      Tags: [{ Key: 'project', Value: 'pets' }],
    });
    assertValidRequest('sagemaker', 'CreateTransformJob', request);
    // The check can fail: a request without its required resources is refused.
    const { TransformResources: _resources, ...withoutResources } = request;
    const verdict = validateWithAwsCli('sagemaker', 'CreateTransformJob', withoutResources);
    assert.equal(verdict.valid, false);
    assertValidRequest('sagemaker', 'StopTransformJob', { TransformJobName: 'pets-batch' });
    assertValidRequest('sagemaker', 'DescribeTransformJob', { TransformJobName: 'pets-batch' });
  });

  it('chooses the content type by the images and the payload by the largest', () => {
    assert.equal(transformContentType(['a.jpg', 'b.JPEG']), 'image/jpeg');
    assert.equal(transformContentType(['a.png']), 'image/png');
    assert.equal(transformContentType(['a.png', 'b.jpg']), 'application/x-image');
    assert.equal(maxPayloadMb([10, 200_000]), 1);
    assert.equal(maxPayloadMb([3 * 1024 * 1024 + 1]), 4);
  });

  it('refuses a threshold under the serve default, a bad instance type, an output inside the input', () => {
    assert.deepEqual(transformRequestProblems(REQUEST), []);
    const problems = transformRequestProblems({
      input: 's3://bucket/images/',
      output: 's3://bucket/images/out/',
      instanceType: 'm5.large',
      threshold: 0.3,
    });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /instance type 'm5.large'/);
    assert.match(problems.join('\n'), /default threshold 0.5/);
    assert.match(problems.join('\n'), /inside the input/);
  });
});

describe('gathering the answers', () => {
  const image = (relative: string) => ({ key: `images/${relative}`, relative, size: 1 });

  it('finds <output><relative key>.out, or the one <name>.out when the subfolders were dropped', () => {
    const keys = new Set(['det/a/x.jpg.out', 'det/y.jpg.out', 'det/z.jpg.out']);
    const counts = new Map([
      ['x.jpg', 1],
      ['y.jpg', 1],
      ['z.jpg', 2],
    ]);
    assert.equal(outputKeyFor(image('a/x.jpg'), 'det/', keys, counts), 'det/a/x.jpg.out');
    assert.equal(outputKeyFor(image('b/y.jpg'), 'det/', keys, counts), 'det/y.jpg.out');
    // Two images named z.jpg: the short key cannot say which one it answers.
    assert.equal(outputKeyFor(image('c/z.jpg'), 'det/', keys, counts), undefined);
    assert.equal(outputKeyFor(image('w.jpg'), 'det/', keys, counts), undefined);
  });

  it("reads the serve's answer, cut at the threshold, and says what is wrong with a bad one", () => {
    const body = JSON.stringify({
      prediction: [
        [17, 0.93, 0, 0, 1, 1],
        [1, 0.55, 0, 0, 1, 1],
      ],
    });
    assert.deepEqual(lineFromTransformOutput('a.jpg', body, 0.6), {
      image: 'a.jpg',
      prediction: [[17, 0.93, 0, 0, 1, 1]],
    });
    assert.deepEqual(lineFromTransformOutput('a.jpg', '{"message":"not a JPEG"}', 0.5), {
      image: 'a.jpg',
      error: 'the model answered: not a JPEG',
    });
    assert.match(
      (lineFromTransformOutput('a.jpg', '<html>', 0.5) as { error: string }).error,
      /not JSON/,
    );
    assert.match(
      (lineFromTransformOutput('a.jpg', '{"prediction":[[1,"x"]]}', 0.5) as { error: string })
        .error,
      /no prediction list/,
    );
  });
});

/** S3 as a map of keys to bodies, through the stub's `send`. */
function s3Stub(objects: Map<string, string>): StubClient {
  return new StubClient({
    ListObjectsV2: (input) => ({
      Contents: [...objects]
        .filter(([key]) => key.startsWith(String(input.Prefix)))
        .map(([Key, body]) => ({ Key, Size: body.length })),
      IsTruncated: false,
    }),
    GetObject: (input) => {
      const body = objects.get(String(input.Key)) ?? '';
      return { ContentLength: body.length, Body: { transformToString: async () => body } };
    },
    PutObject: (input) => {
      objects.set(String(input.Key), String(input.Body));
      return {};
    },
  });
}

describe('runTransformBatch', () => {
  it('creates the model and transform job, waits, and gathers every image into results.jsonl', async () => {
    const objects = new Map([
      ['images/a.jpg', 'jpeg'],
      ['images/sub/b.jpg', 'jpeg'],
    ]);
    const s3 = s3Stub(objects);
    let describes = 0;
    const sagemaker = new StubClient({
      DescribeModel: () => {
        throw notFound('model');
      },
      CreateModel: () => ({}),
      CreateTransformJob: () => ({}),
      DescribeTransformJob: () => {
        // The job answers one image, then the other, then is Completed.
        if (++describes === 2)
          objects.set('detections/a.jpg.out', '{"prediction":[[17,0.9,0,0,1,1]]}');
        if (describes === 3) objects.set('detections/sub/b.jpg.out', '{"prediction":[]}');
        return { TransformJobStatus: describes >= 3 ? 'Completed' : 'InProgress' };
      },
    });
    const progress: TransformBatchProgress[] = [];
    const result = await runTransformBatch(
      { sagemaker: sagemaker.asSageMaker(), s3: s3 as unknown as S3Client },
      JOB,
      REQUEST,
      { pollIntervalMs: 1, onProgress: (p) => progress.push(p), names: new Map([[17, 'cat']]) },
      NOW,
    );
    assert.deepEqual(sagemaker.operations(), [
      'DescribeModel',
      'CreateModel',
      'CreateTransformJob',
      'DescribeTransformJob',
      'DescribeTransformJob',
      'DescribeTransformJob',
    ]);
    const create = sagemaker.calls[2]!.input;
    assert.equal(create.TransformJobName, 'pets-batch-20240201-120000');
    assert.equal(create.ModelName, 'pets');
    assertValidRequest('sagemaker', 'CreateTransformJob', create);
    assert.deepEqual(
      progress.filter((p) => p.phase === 'wait').map((p) => `${p.done}/${p.total}`),
      ['0/2', '1/2', '2/2'],
    );
    assert.equal(result.status, 'Completed');
    assert.equal(result.resultsUri, 's3://bucket/detections/results.jsonl');
    assert.equal(
      objects.get('detections/results.jsonl'),
      '{"image":"a.jpg","prediction":[[17,0.9,0,0,1,1]]}\n{"image":"sub/b.jpg","prediction":[]}\n',
    );
    assert.deepEqual(result.summary.classes, [{ id: 17, name: 'cat', detections: 1, images: 1 }]);
    assert.equal(result.summary.transformJob, 'pets-batch-20240201-120000');
    assert.ok(objects.has('detections/summary.json'));
  });

  it('gathers a failed job: an error line with the reason for each image without an answer', async () => {
    const objects = new Map([
      ['images/a.png', 'png'],
      ['images/b.png', 'png'],
      ['detections/a.png.out', '{"prediction":[]}'],
    ]);
    const sagemaker = new StubClient({
      DescribeModel: () => ({
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: JOB.modelArtifacts },
      }),
      CreateTransformJob: () => ({}),
      DescribeTransformJob: () => ({
        TransformJobStatus: 'Failed',
        FailureReason: 'ClientError: See job logs',
      }),
    });
    const result = await runTransformBatch(
      { sagemaker: sagemaker.asSageMaker(), s3: s3Stub(objects) as unknown as S3Client },
      JOB,
      REQUEST,
      { pollIntervalMs: 1 },
      NOW,
    );
    assert.ok(!sagemaker.operations().includes('CreateModel'), 'the same model is reused');
    assert.equal(result.status, 'Failed');
    assert.equal(result.summary.failed, 1);
    assert.match(result.summary.failures[0]!.error, /no answer.*ClientError: See job logs/);
  });

  it('stops the transform job when cancelled', async () => {
    const controller = new AbortController();
    const sagemaker = new StubClient({
      DescribeModel: () => ({
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: JOB.modelArtifacts },
      }),
      CreateTransformJob: () => ({}),
      DescribeTransformJob: () => {
        controller.abort();
        return { TransformJobStatus: 'InProgress' };
      },
      StopTransformJob: () => ({}),
    });
    await assert.rejects(
      runTransformBatch(
        {
          sagemaker: sagemaker.asSageMaker(),
          s3: s3Stub(new Map([['images/a.jpg', 'x']])) as unknown as S3Client,
        },
        JOB,
        REQUEST,
        { pollIntervalMs: 1, signal: controller.signal },
        NOW,
      ),
      CancelledError,
    );
    assert.equal(sagemaker.operations().at(-1), 'StopTransformJob');
    assert.deepEqual(sagemaker.calls.at(-1)!.input, {
      TransformJobName: 'pets-batch-20240201-120000',
    });
  });

  it('refuses a prefix with other objects, or no images, before creating anything', async () => {
    const sagemaker = new StubClient({});
    const run = (objects: Map<string, string>) =>
      runTransformBatch(
        { sagemaker: sagemaker.asSageMaker(), s3: s3Stub(objects) as unknown as S3Client },
        JOB,
        REQUEST,
        {},
        NOW,
      );
    await assert.rejects(
      run(
        new Map([
          ['images/a.jpg', 'x'],
          ['images/labels.csv', 'x'],
        ]),
      ),
      (error: unknown) => error instanceof UserError && /labels\.csv/.test(error.message),
    );
    await assert.rejects(
      run(new Map([['images/', '']])),
      (error: unknown) => error instanceof UserError && /no JPEG or PNG images/.test(error.message),
    );
    assert.deepEqual(sagemaker.operations(), []);
  });
});

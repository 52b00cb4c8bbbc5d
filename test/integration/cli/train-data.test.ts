import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEMPLATE_CONFIG, TWO_CLASS_LABEL_MAP } from '../../unit/training/templateFixtures';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { checkTrainingData } from '../../../src/core/jobs/trainingData';
import { ensureBucket } from '../../../src/core/s3/bucket';
import { createS3Client } from '../../../src/core/s3/client';
import { IMAGE, ROLE, sampleSpec } from '../../unit/sagemaker/fixtures';
import { useMoto } from '../harness/services';
import { motoEnv, tfod } from './harness';

// `tfod train --target sagemaker` with data already in S3: the pipeline.config under the training
// prefix is read (ListObjectsV2, GetObject against moto) and checked as an upload checks it, and a
// job it would fail on is never created.

describe('tfod train on SageMaker checks the training data in S3 (moto)', () => {
  let moto: ReturnType<typeof useMoto>;
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  const run = `${process.pid}-${Date.now() % 100000}`;
  const bucket = `tfod-train-data-${run}`;

  before(async () => {
    moto = useMoto();
    s3 = createS3Client({});
    sagemaker = new SageMakerClient({ region: 'us-east-1' });
    await ensureBucket(s3, bucket, { create: true });
    const put = (Key: string, Body: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    // Without a label map the container has nothing to point label_map_path at.
    await put('bad/pipeline.config', TEMPLATE_CONFIG);
    await put('bad/train.record-00000-of-00001', 'records');
    await put('good/pipeline.config', TEMPLATE_CONFIG);
    await put('good/label_map.pbtxt', TWO_CLASS_LABEL_MAP);
    await put('good/train.record-00000-of-00001', 'records');
    await put('good/ssd/checkpoint/ckpt-0.index', 'index');
    await put('good/ssd/checkpoint/ckpt-0.data-00000-of-00001', 'data');
    await put('good/ssd/pipeline.config', 'model { ssd { num_classes: 90 } }\n');
  });
  after(() => {
    s3?.destroy();
    sagemaker?.destroy();
    moto?.restore();
  });

  it('reads the prefix as the container will see it, the zoo folder’s own config aside', async () => {
    const spec = (prefix: string) => ({
      ...sampleSpec(),
      channels: { training: `s3://${bucket}/${prefix}/` },
    });
    const bad = await checkTrainingData(spec('bad'), { target: 'sagemaker', s3 });
    assert.deepEqual(
      bad.problems.map((p) => p.at),
      [{ file: `s3://${bucket}/bad/pipeline.config`, line: 10, column: 19 }],
    );
    assert.deepEqual(await checkTrainingData(spec('good'), { target: 'sagemaker', s3 }), {
      problems: [],
      warnings: [],
    });
  });

  async function described(name: string): Promise<string | undefined> {
    try {
      const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return job.TrainingJobName;
    } catch {
      return undefined;
    }
  }

  function train(name: string, prefix: string) {
    return tfod(
      motoEnv(),
      'train',
      '--target',
      'sagemaker',
      '--name',
      name,
      '--image',
      IMAGE,
      '--role',
      ROLE,
      '--instance-type',
      'ml.g4dn.xlarge',
      '--training',
      `s3://${bucket}/${prefix}/`,
      '--output',
      `s3://${bucket}/output/`,
    );
  }

  it('refuses a placeholder the container does not fill in, and creates no job', async () => {
    const name = `tfod-bad-${run}`;
    const result = await train(name, 'bad');
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^tfod: error: cannot start training job '${name}': s3://${bucket}/bad/pipeline\\.config has 1 error the training job would fail on: s3://${bucket}/bad/pipeline\\.config:10:19: \`label_map_path\` is still the template's placeholder`,
      ),
    );
    assert.equal(result.stdout, '');
    assert.equal(await described(name), undefined, 'no training job');
  });

  it('starts the job when every placeholder is one the container fills in', async () => {
    const name = `tfod-good-${run}`;
    const result = await train(name, 'good');
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /warning/);
    assert.equal(await described(name), name);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ECRClient,
  CreateRepositoryCommand,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, whoAmI } from '../../src/core/aws/session';
import { useMoto } from './harness/services';

// The real AWS SDK over HTTP to a moto server, reached only through the SDK's standard
// AWS_ENDPOINT_URL variable, the way a user points the extension at LocalStack or moto.
describe('AWS APIs through the SDK (moto server)', () => {
  let moto: ReturnType<typeof useMoto>;

  before(() => {
    moto = useMoto();
  });
  after(() => moto?.restore());

  it('core identifies the caller with STS', async () => {
    const identity = await whoAmI({ region: 'eu-west-1' });
    assert.match(identity.account, /^\d{12}$/);
    assert.match(identity.arn, /^arn:aws:(iam|sts)::\d{12}:/);
    assert.equal(identity.region, 'eu-west-1');
  });

  it('S3 stores and returns an object', async () => {
    const s3 = new S3Client({ ...awsClientConfig({}), forcePathStyle: true });
    const bucket = `tfod-itest-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'data/label_map.pbtxt',
        Body: "item { id: 1 name: 'cat' }\n",
      }),
    );
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'data/label_map.pbtxt' }),
    );
    assert.equal(await object.Body?.transformToString(), "item { id: 1 name: 'cat' }\n");
    s3.destroy();
  });

  it('ECR creates a repository and hands out a registry token', async () => {
    const ecr = new ECRClient(awsClientConfig({}));
    const created = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: `tfod-itest-${process.pid}` }),
    );
    assert.match(
      created.repository?.repositoryUri ?? '',
      /^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/tfod-itest-/,
    );
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    const decoded = Buffer.from(
      token.authorizationData?.[0]?.authorizationToken ?? '',
      'base64',
    ).toString();
    assert.match(decoded, /^AWS:/);
    ecr.destroy();
  });

  it('SageMaker lists training jobs', async () => {
    const sagemaker = new SageMakerClient(awsClientConfig({}));
    const jobs = await sagemaker.send(new ListTrainingJobsCommand({ MaxResults: 10 }));
    assert.ok(Array.isArray(jobs.TrainingJobSummaries));
    sagemaker.destroy();
  });
});

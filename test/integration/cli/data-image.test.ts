import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { connectDocker } from '../../../src/core/docker/engine';
import { createS3Client } from '../../../src/core/s3';
import { requireService, useMoto } from '../harness/services';
import { assertOneLineError, motoEnv, tfod } from './harness';

const root = join(__dirname, '..', '..', '..');
const validationProject = join(root, 'test', 'fixtures', 'validation-project');

describe('tfod upload against moto S3', () => {
  let env: NodeJS.ProcessEnv;
  let moto: ReturnType<typeof useMoto>;
  const bucket = `tfod-cli-upload-${process.pid}`;
  let trainingFolder: string;

  before(() => {
    moto = useMoto();
    env = motoEnv();
    // The validation fixture has TFRecords and a checkpoint, and two deliberate mistakes that
    // upload refuses (see the next test): a copy with them fixed is ready for training.
    trainingFolder = mkdtempSync(join(tmpdir(), 'tfod-cli-upload-'));
    cpSync(validationProject, trainingFolder, { recursive: true });
    const config = join(trainingFolder, 'pipeline.config');
    writeFileSync(
      config,
      readFileSync(config, 'utf8')
        .replace('bacth_size', 'batch_size')
        .replace('num_classes: 1', 'num_classes: 2'),
    );
  });
  after(() => {
    moto?.restore();
    rmSync(trainingFolder, { recursive: true, force: true });
  });

  it('refuses a config the training job would fail on, with the line and the fix', async () => {
    const result = await tfod(env, 'upload', validationProject, `s3://${bucket}/refused/`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pipeline\.config:\d+:\d+: unknown field `bacth_size`/);
    assert.match(result.stderr, /num_classes is 1 but the label map/);
  });

  it('refuses a folder that is not ready, listing what is missing, and uploads nothing', async () => {
    const result = await tfod(
      env,
      'upload',
      join(root, 'test', 'fixtures', 'sample-project'),
      `s3://${bucket}/data/`,
      '--create-bucket',
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not ready for training \(\d+ problems?\)/);
    assert.match(result.stderr, /^- .*TFRecord/m, 'one line per problem');
  });

  it('says when the bucket is missing, and creates it when asked', async () => {
    const missing = await tfod(env, 'upload', trainingFolder, `s3://${bucket}/data/`);
    assertOneLineError(missing, new RegExp(`bucket '${bucket}' does not exist`));
    const result = await tfod(
      env,
      'upload',
      trainingFolder,
      `s3://${bucket}/data/`,
      '--create-bucket',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`created bucket ${bucket}`));
    assert.match(result.stdout, /^Uploaded (\d+) files .*, 0 already there/);
    assert.match(result.stdout, new RegExp(`training channel: s3://${bucket}/data/\\n`));
    assert.match(
      result.stdout,
      new RegExp(`checkpoint channel: s3://${bucket}/data/checkpoint/\\n`),
    );
    const s3 = createS3Client();
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'data/' }));
      const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
      assert.ok(keys.includes('data/pipeline.config'), keys.join(', '));
      assert.ok(keys.includes('data/label_map.pbtxt'));
      assert.ok(keys.includes('data/train.record-00000-of-00002'));
      assert.ok(keys.some((k) => k?.startsWith('data/checkpoint/model.ckpt.index')));
    } finally {
      s3.destroy();
    }
  });

  it('a second run uploads nothing: every file is already there', async () => {
    const result = await tfod(env, 'upload', trainingFolder, `s3://${bucket}/data/`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Uploaded 0 files \(0 B\), \d+ already there/);
    assert.match(result.stderr, /skipped data\/pipeline.config \(already there\)/);
  });
});

describe('tfod build and push (Docker engine, moto ECR)', () => {
  let env: NodeJS.ProcessEnv;
  let moto: ReturnType<typeof useMoto>;
  let context: string;
  const image = `tfod-cli-build:${process.pid}`;

  before(() => {
    requireService('DOCKER');
    moto = useMoto();
    env = motoEnv();
    context = mkdtempSync(join(tmpdir(), 'tfod-cli-build-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(context, path)), { recursive: true });
      writeFileSync(join(context, path), text);
    };
    write(
      'container/Dockerfile',
      'FROM scratch\nARG ARCHITECTURE\nLABEL org.tfod.architecture=$ARCHITECTURE\nCOPY container/dist /dist\n',
    );
    write('container/dist/train.js', 'console.log(1);\n');
  });
  after(async () => {
    moto?.restore();
    rmSync(context, { recursive: true, force: true });
    const docker = connectDocker();
    for (const name of [
      image,
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod-cli-push:${process.pid}`,
    ])
      await docker
        .getImage(name)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('build streams the build and names the image with the ARCHITECTURE it was given', async () => {
    const result = await tfod(
      env,
      'build',
      '--context',
      context,
      '--architecture',
      '2.9.1',
      '--tag',
      image,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Built ${image} \\(sha256:[0-9a-f]{64}\\)`));
    assert.match(result.stderr, /sending build context/);
    const inspected = await connectDocker().getImage(image).inspect();
    assert.equal(inspected.Config.Labels?.['org.tfod.architecture'], '2.9.1');
    const bad = await tfod(env, 'build', '--context', context, '--architecture', '3.0-gpu');
    assertOneLineError(bad, /'3.0-gpu' is not an ARCHITECTURE/);
  });

  it('push creates the repository, logs in with the ECR token, pushes to the ECR host, never printing the token', async () => {
    // The test services run a registry that answers for the ECR host with moto's token.
    requireService('ECR_REGISTRY');
    const ecr = new ECRClient({ region: 'us-east-1' });
    let password = '';
    try {
      const token = await ecr.send(new GetAuthorizationTokenCommand({}));
      const decoded = Buffer.from(
        token.authorizationData?.[0]?.authorizationToken ?? '',
        'base64',
      ).toString();
      password = decoded.slice(decoded.indexOf(':') + 1);
    } finally {
      ecr.destroy();
    }
    assert.ok(password.length >= 8, 'moto hands out a token');
    const result = await tfod(
      env,
      'push',
      '--image',
      image,
      '--repository',
      'tfod-cli-push',
      '--tag',
      String(process.pid),
    );
    const all = `${result.stdout}${result.stderr}`;
    assert.match(
      result.stderr,
      /created ECR repository 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/tfod-cli-push|pushing /,
    );
    assert.match(
      result.stderr,
      new RegExp(
        `pushing 123456789012\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/tfod-cli-push:${process.pid}`,
      ),
    );
    assert.ok(!all.includes(password), 'the registry password never reaches the output');
    assert.ok(
      !all.includes(Buffer.from(`AWS:${password}`).toString('base64')),
      'nor the encoded token',
    );
    assert.equal(result.code, 0, result.stderr);
    // The registry behind the ECR host has the tag, under the credentials ECR handed out.
    const auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    const tags = await fetch('http://127.0.0.1:80/v2/tfod-cli-push/tags/list', {
      headers: { authorization: auth },
    });
    assert.equal(tags.status, 200);
    assert.ok(((await tags.json()) as { tags: string[] }).tags.includes(String(process.pid)));
  });
});

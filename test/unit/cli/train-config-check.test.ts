import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TEMPLATE_CONFIG, TWO_CLASS_LABEL_MAP } from '../training/templateFixtures';
import { offlineAwsEnv } from './offlineAws';

// `tfod train` refuses a job whose pipeline.config the job would fail on (a template placeholder
// in a field the container does not fill in) before anything starts: on the local target before
// Docker is asked, on SageMaker after reading the config from the training prefix and before
// CreateTrainingJob. The SageMaker side runs against a stand-in that answers S3 from a map of
// objects and records every other request.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecutionRole';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod:2.9.1-gpu';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as a process, without blocking this one's event loop (the stand-in answers in it). */
function tfod(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tfod train --target local: a config the job would fail on is refused', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-train-check-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'pipeline.config'), TEMPLATE_CONFIG);
    writeFileSync(join(dir, 'data', 'train.record'), 'records');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The engine is a socket that does not exist: a job that got past the check fails on Docker.
  const env = () => ({ ...process.env, DOCKER_HOST: `unix://${dir}/no-docker.sock` });
  const train = () =>
    tfod(dir, env(), [
      'train',
      '--name',
      'placeholder-job',
      '--image',
      'tfod-sagemaker:2.9.1',
      '--training',
      'data',
    ]);

  it('names file:line, the field and the fix, exits 1, and starts nothing', async () => {
    const result = await train();
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^tfod: error: cannot start training job 'placeholder-job': data\/pipeline\.config has 1 error the training job would fail on: data\/pipeline\.config:10:19: `label_map_path` is still the template's placeholder "PATH_TO_BE_CONFIGURED\/label_map\.pbtxt": the training job would fail on it\. Set the real path \(the file must be in the training data\)\. Fix data\/pipeline\.config \(.*`tfod validate --for-training data\/pipeline\.config`.*\) and start the job again\n$/m,
    );
    assert.doesNotMatch(result.stderr, /docker|no-docker\.sock/i, 'refused before Docker');
    assert.equal(result.stdout, '');
    assert.ok(!existsSync(join(dir, '.tfod', 'jobs', 'placeholder-job')), 'no job folder');
  });

  it('lets the job go on once the placeholder is in a field the container fills in', async () => {
    writeFileSync(join(dir, 'data', 'label_map.pbtxt'), TWO_CLASS_LABEL_MAP);
    const result = await train();
    assert.doesNotMatch(result.stderr, /error: .*pipeline\.config/);
    assert.match(result.stderr, /docker|no-docker\.sock/i, 'it got as far as the engine');
    assert.notEqual(result.code, 0, 'no engine, no job');
  });
});

describe('tfod train --target sagemaker: the config under the training prefix is checked', () => {
  const objects: Record<string, string> = {
    'runs/bad/pipeline.config': TEMPLATE_CONFIG,
    'runs/bad/train.record': 'records',
    'runs/good/pipeline.config': TEMPLATE_CONFIG,
    'runs/good/label_map.pbtxt': TWO_CLASS_LABEL_MAP,
    'runs/good/train.record': 'records',
  };
  /** Requests that were not S3 reads: SageMaker's (CreateTrainingJob), by their X-Amz-Target. */
  const sagemaker: string[] = [];
  let server: Server;
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'tfod-train-s3-'));
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const target = request.headers['x-amz-target'];
      request.resume();
      if (typeof target === 'string') {
        sagemaker.push(target.replace(/^SageMaker\./, ''));
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'ValidationException', message: 'stand-in' }));
        return;
      }
      const [, bucket, ...rest] = url.pathname.split('/');
      if (bucket === 'denied') {
        response.writeHead(403, { 'content-type': 'application/xml' });
        response.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
        return;
      }
      if (url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = Object.keys(objects).filter((key) => key.startsWith(prefix));
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${keys.map((key) => `<Contents><Key>${key}</Key><Size>${objects[key]?.length ?? 0}</Size></Contents>`).join('')}</ListBucketResult>`,
        );
        return;
      }
      const text = objects[decodeURIComponent(rest.join('/'))];
      if (text === undefined) {
        response.writeHead(404, { 'content-type': 'application/xml' });
        response.end('<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
        return;
      }
      response.writeHead(200, { 'content-length': Buffer.byteLength(text) });
      response.end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  function train(training: string): Promise<Run> {
    const { port } = server.address() as AddressInfo;
    return tfod(home, offlineAwsEnv(home, `http://127.0.0.1:${port}`), [
      'train',
      '--target',
      'sagemaker',
      '--name',
      'placeholder-job',
      '--image',
      IMAGE,
      '--role',
      ROLE,
      '--training',
      training,
      '--output',
      's3://bucket/output/',
      '--instance-type',
      'ml.g4dn.xlarge',
    ]);
  }

  it('refuses a placeholder in the uploaded config, naming the object and line, before CreateTrainingJob', async () => {
    sagemaker.length = 0;
    const result = await train('s3://bucket/runs/bad/');
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^tfod: error: cannot start training job 'placeholder-job': s3:\/\/bucket\/runs\/bad\/pipeline\.config has 1 error the training job would fail on: s3:\/\/bucket\/runs\/bad\/pipeline\.config:10:19: `label_map_path` is still the template's placeholder/,
    );
    assert.match(result.stderr, /upload it again and start the job again\n$/);
    assert.deepEqual(sagemaker, [], 'SageMaker was never asked');
  });

  it('starts the job when the container fills every placeholder in', async () => {
    sagemaker.length = 0;
    const result = await train('s3://bucket/runs/good/');
    assert.deepEqual(sagemaker, ['CreateTrainingJob'], result.stderr);
    assert.doesNotMatch(result.stderr, /warning/);
  });

  it('warns and goes on when the training prefix cannot be read', async () => {
    sagemaker.length = 0;
    const result = await train('s3://denied/runs/bad/');
    assert.match(
      result.stderr,
      /^tfod: warning: the training data's pipeline\.config was not checked before the job starts: listing s3:\/\/denied\/runs\/bad\/ failed: access denied/m,
    );
    assert.deepEqual(sagemaker, ['CreateTrainingJob'], 'the job was asked for all the same');
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { offlineAwsEnv } from './offlineAws';

// `tfod train --spot` on SageMaker: a maximum wait below the maximum runtime is refused with the
// numbers to change, before any request. The endpoint is a port where nothing listens, so a spec
// that passed would end in a connection error, not a started job.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecutionRole';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod:2.9.1-gpu';

describe('tfod train --spot --max-wait --checkpoints', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'tfod-spot-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  function train(...args: string[]) {
    const result = spawnSync(
      process.execPath,
      [
        cli,
        'train',
        '--target',
        'sagemaker',
        '--image',
        IMAGE,
        '--role',
        ROLE,
        '--training',
        's3://my-bucket/data/',
        '--output',
        's3://my-bucket/output/',
        '--instance-type',
        'ml.g4dn.xlarge',
        ...args,
      ],
      {
        cwd: home,
        encoding: 'utf8',
        timeout: 60_000,
        env: offlineAwsEnv(home),
      },
    );
    return { code: result.status, stderr: result.stderr, stdout: result.stdout };
  }

  it('refuses a maximum wait shorter than the maximum runtime, saying what to change', () => {
    const result = train('--spot', '--max-runtime', '7200', '--max-wait', '3600');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^tfod: error: cannot start training job 'tfod-\d{8}-\d{6}': the maximum wait \(3600 s\) is shorter than the maximum runtime \(7200 s\); SageMaker needs MaxWaitTimeInSeconds >= MaxRuntimeInSeconds: raise --max-wait to at least 7200 or lower --max-runtime\./m,
    );
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('refuses --max-wait without --spot, and a checkpoints path that is not an S3 URI', () => {
    const wait = train('--max-wait', '90000');
    assert.equal(wait.code, 1);
    assert.match(wait.stderr, /a maximum wait applies only to managed spot training; add --spot/);
    const checkpoints = train('--spot', '--checkpoints', '/tmp/ckpt');
    assert.equal(checkpoints.code, 1);
    assert.match(checkpoints.stderr, /the checkpoints path: /);
  });

  it('sends a valid spot job (it gets as far as the unreachable endpoint)', () => {
    const result = train('--spot', '--max-runtime', '3600', '--checkpoints', 's3://ckpt/run/');
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /cannot start training job/, 'the spec passed');
    assert.match(result.stderr, /^tfod: error: cannot reach AWS/m);
  });
});

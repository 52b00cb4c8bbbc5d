import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { offlineAwsEnv } from './offlineAws';

// `tfod deploy` refuses capacity flags that do not go together before it makes any AWS call: the
// AWS endpoint is a port where nothing listens, so a request that got through would fail there.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('tfod deploy: autoscaling and serverless flags', () => {
  let home: string;
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\` first`);
    home = mkdtempSync(join(tmpdir(), 'tfod-deploy-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const deploy = (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, 'deploy', 'pets-job', ...args], {
      cwd: home,
      env: offlineAwsEnv(home),
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const refused = (args: string[], pattern: RegExp) => {
    const result = deploy(...args);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /connect|ECONNREFUSED|127\.0\.0\.1/);
  };

  it('names each combination it refuses, in one line', () => {
    refused(
      ['-t', 'sagemaker', '--serverless', '--max-instances', '3'],
      /a serverless endpoint has no instances to autoscale.*either --serverless or --min-instances\/--max-instances/,
    );
    refused(
      [
        '-t',
        'sagemaker',
        '--serverless',
        '--instance-type',
        'ml.m5.large',
        '--instance-count',
        '2',
      ],
      /--instance-type and --instance-count are for instance endpoints; a --serverless endpoint has no instances/,
    );
    refused(['-t', 'sagemaker', '--memory-mb', '2048'], /--memory-mb goes with --serverless/);
    refused(['-t', 'sagemaker', '--min-instances', '2'], /--min-instances needs --max-instances/);
    refused(
      ['-t', 'sagemaker', '--target-invocations', '100'],
      /--target-invocations tunes autoscaling: give --max-instances too/,
    );
    refused(
      ['-t', 'sagemaker', '--min-instances', '3', '--max-instances', '2'],
      /the maximum instance count \(2\) is below the minimum \(3\)/,
    );
    refused(
      ['-t', 'sagemaker', '--max-instances', '2', '--instance-count', '3'],
      /the initial instance count \(3\) is outside the autoscaling range 1-2/,
    );
    refused(
      ['-t', 'sagemaker', '--serverless', '--memory-mb', '1000', '--max-concurrency', '201'],
      /memory must be one of 1024, 2048, 3072, 4096, 5120, 6144 MB, got 1000; serverless max concurrency must be a whole number from 1 to 200, got 201/,
    );
  });

  it('says they are SageMaker options on the local target', () => {
    refused(
      ['--max-instances', '3'],
      /--min-instances\/--max-instances \(autoscaling\) is a SageMaker option; .*--target sagemaker/,
    );
    refused(['--target', 'local', '--serverless'], /--serverless is a SageMaker option/);
  });

  it('--help explains what each way of running costs', () => {
    const help = spawnSync(process.execPath, [cli, 'deploy', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--min-instances <n>/);
    assert.match(help.stdout, /--serverless/);
    assert.match(help.stdout, /billed per instance-hour while InService, with or without requests/);
    assert.match(help.stdout, /compute time of each request .* nothing while idle/s);
    assert.match(help.stdout, /https:\/\/aws\.amazon\.com\/sagemaker\/pricing\//);
  });
});

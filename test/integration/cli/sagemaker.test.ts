import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { TRAINING_JOB_LOG_GROUP } from '../../../src/core/sagemaker';
import { ACCOUNT, IMAGE, ROLE } from '../../unit/sagemaker/fixtures';
import { useMoto } from '../harness/services';
import { assertOneLineError, cli, motoEnv, tfod } from './harness';

// `tfod train / jobs / logs / deploy / endpoints --target sagemaker` against moto, as processes.
describe('tfod jobs and endpoints commands against moto', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let profile: string;
  const run = `${process.pid}-${Date.now() % 100000}`;
  const job = `tfod-cli-${run}`;
  const endpoint = `tfod-cli-ep-${run}`;

  let moto: ReturnType<typeof useMoto>;

  before(() => {
    moto = useMoto();
    env = motoEnv();
    dir = mkdtempSync(join(tmpdir(), 'tfod-cli-'));
    profile = join(dir, 'job.json');
    writeFileSync(
      profile,
      JSON.stringify({
        image: IMAGE,
        roleArn: ROLE,
        instanceType: 'ml.g4dn.xlarge',
        outputPath: 's3://tfod-cli-bucket/output/',
        hyperparameters: { num_steps: '200', quantize: 'false' },
        channels: { training: 's3://tfod-cli-bucket/data/' },
      }),
    );
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    moto?.restore();
  });

  it('defaults to the local target: jobs lists the project folder, a SageMaker profile is refused', () => {
    // Run in the profile's folder: the local target keeps its jobs under <cwd>/.tfod.
    const run = (...args: string[]) => {
      const result = spawnSync(process.execPath, [cli, ...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const jobs = run('jobs');
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.equal(jobs.stdout, 'No training jobs on the local target.\n');
    const endpoints = run('endpoints');
    assert.equal(endpoints.code, 0, endpoints.stderr);
    const train = run('train', '--profile', profile);
    assertOneLineError(train, /channel|absolute|folder|s3:\/\//i);
  });

  it('rejects an unknown target with the allowed ones', async () => {
    const result = await tfod(env, 'jobs', '--target', 'cloud');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /unknown --target 'cloud'.*local, sagemaker/);
  });

  it('train --profile with flags over it starts the job SageMaker describes', async () => {
    const result = await tfod(
      env,
      'train',
      '--target',
      'sagemaker',
      '--profile',
      profile,
      '--name',
      job,
      '--num-steps',
      '300',
      '--checkpoint',
      's3://tfod-cli-bucket/data/ssd/',
      '--tag',
      'project=pets',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^Started training job ${job} on sagemaker \\(ml.g4dn.xlarge\\): arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${job}`,
      ),
    );
    const client = new SageMakerClient({ region: 'us-east-1' });
    try {
      const described = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: job }));
      assert.equal(described.HyperParameters?.num_steps, '300', 'the flag wins over the profile');
      assert.equal(described.HyperParameters?.quantize, 'false');
      assert.equal(described.RoleArn, ROLE);
      assert.deepEqual(
        described.InputDataConfig?.map((c) => [c.ChannelName, c.DataSource?.S3DataSource?.S3Uri]),
        [
          ['training', 's3://tfod-cli-bucket/data/'],
          ['checkpoint', 's3://tfod-cli-bucket/data/ssd/'],
        ],
      );
    } finally {
      client.destroy();
    }
  });

  it('train refuses an invalid job before calling SageMaker, naming every problem', async () => {
    const result = await tfod(
      env,
      'train',
      '--target',
      'sagemaker',
      '--profile',
      profile,
      '--role',
      'arn:aws:iam::123456789012:user/me',
      '--num-steps',
      'many',
    );
    assertOneLineError(result, /is not a usable job profile: .*num_steps/);
    const noProfile = await tfod(env, 'train', '--target', 'sagemaker', '--image', IMAGE);
    assertOneLineError(
      noProfile,
      /'roleArn' is missing; 'outputPath' is missing; 'channels.training' is missing/,
    );
    const badRole = await tfod(
      env,
      'train',
      '--target',
      'sagemaker',
      '--profile',
      profile,
      '--role',
      'arn:aws:iam::123456789012:user/me',
    );
    assertOneLineError(badRole, /is an IAM user, not a role/);
  });

  it('jobs lists the job with its status, as a table and as JSON', async () => {
    const table = await tfod(env, 'jobs', '--target', 'sagemaker', '--name', job);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+STATUS\s+SECONDARY\s+ELAPSED\s+CREATED$/);
    assert.match(lines[1] ?? '', new RegExp(`^${job}\\s+Completed\\b`));
    const json = await tfod(env, 'jobs', '--target', 'sagemaker', '--json', '--max', '100');
    const jobs = JSON.parse(json.stdout) as Array<{ name: string; status: string; target: string }>;
    assert.ok(
      jobs.some((j) => j.name === job && j.status === 'Completed' && j.target === 'sagemaker'),
    );
  });

  it('jobs <job> describes the job: capacity and where its TensorBoard files go', async () => {
    const described = await tfod(env, 'jobs', job, '--target', 'sagemaker');
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, new RegExp(`^Name:\\s+${job}$`, 'm'));
    assert.match(described.stdout, /^Status:\s+Completed/m);
    assert.match(described.stdout, /^Capacity:\s+on-demand$/m);
    assert.match(
      described.stdout,
      new RegExp(`^TensorBoard:\\s+s3://\\S+/${job}/tensorboard/$`, 'm'),
    );
    const json = await tfod(env, 'jobs', job, '--target', 'sagemaker', '--json');
    assert.equal((JSON.parse(json.stdout) as { name: string }).name, job);
  });

  it("logs prints the job's CloudWatch events; --follow ends once the job has ended", async () => {
    const logs = new CloudWatchLogsClient({ region: 'us-east-1' });
    try {
      await logs
        .send(new CreateLogGroupCommand({ logGroupName: TRAINING_JOB_LOG_GROUP }))
        .catch((e: { name?: string }) => {
          if (e.name !== 'ResourceAlreadyExistsException') throw e;
        });
      const stream = `${job}/algo-1-1700000000`;
      await logs.send(
        new CreateLogStreamCommand({ logGroupName: TRAINING_JOB_LOG_GROUP, logStreamName: stream }),
      );
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: TRAINING_JOB_LOG_GROUP,
          logStreamName: stream,
          logEvents: [
            { timestamp: now, message: 'starting training' },
            { timestamp: now + 1, message: '#metric step=100 total_loss=0.9' },
          ],
        }),
      );
    } finally {
      logs.destroy();
    }
    const plain = await tfod(env, 'logs', job, '--target', 'sagemaker');
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'starting training\n#metric step=100 total_loss=0.9\n');
    const followed = await tfod(
      env,
      'logs',
      job,
      '--target',
      'sagemaker',
      '--follow',
      '--timestamps',
    );
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z starting training\n/);
    const missing = await tfod(env, 'logs', `${job}-nope`, '--target', 'sagemaker');
    assertOneLineError(missing, /training job '.*-nope' was not found/);
  });

  /** `tfod deploy <job> --target sagemaker --endpoint <name>`, polling every second. */
  const deploy = (name: string, ...args: string[]) =>
    tfod(env, 'deploy', job, '--target', 'sagemaker', '--endpoint', name, '--poll', '1', ...args);

  it('deploy serves the job on an endpoint and waits until InService; endpoints lists it', async () => {
    const result = await deploy(endpoint, '--instance-type', 'ml.m5.large');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^Endpoint ${endpoint} is InService: model \\S+, config \\S+`),
    );
    assert.match(result.stderr, /model/i, 'progress on stderr');
    const listed = await tfod(env, 'endpoints', '--target', 'sagemaker');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${endpoint}\\s+InService\\b`, 'm'));
    const json = JSON.parse(
      (await tfod(env, 'endpoints', '--target', 'sagemaker', '--json')).stdout,
    ) as Array<{ name: string }>;
    assert.ok(json.some((e) => e.name === endpoint));
  });

  it('deploy --max-instances autoscales and --serverless runs without instances; endpoints shows both', async () => {
    const scaled = await deploy(
      `${endpoint}-scaled`,
      '--min-instances',
      '2',
      '--max-instances',
      '5',
    );
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(
      scaled.stdout,
      /InService: .*, autoscaling 2-5 instances, 2 now, target 70 invocations\/instance\/minute\n$/,
    );
    assert.match(scaled.stderr, /Setting .*-scaled to autoscaling 2-5 instances/);
    const serverless = await deploy(`${endpoint}-sl`, '--serverless', '--memory-mb', '4096');
    assert.equal(serverless.code, 0, serverless.stderr);
    assert.match(serverless.stdout, /serverless \(4096 MB, max concurrency 5\)\n$/);
    const listed = await tfod(env, 'endpoints', '--target', 'sagemaker');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^NAME\s+STATUS\s+CREATED\s+CAPACITY/);
    assert.match(
      listed.stdout,
      new RegExp(
        `^${endpoint}-scaled\\s+InService\\s+\\S+\\s+autoscaling 2-5 instances, 2 now`,
        'm',
      ),
    );
    assert.match(
      listed.stdout,
      new RegExp(
        `^${endpoint}-sl\\s+InService\\s+\\S+\\s+serverless \\(4096 MB, max concurrency 5\\)`,
        'm',
      ),
    );
    assert.match(
      listed.stdout,
      new RegExp(`^${endpoint}\\s+InService\\s+\\S+\\s+1 × ml\\.m5\\.large, fixed`, 'm'),
    );
  });

  it('deploy refuses a bad instance type before any call', async () => {
    const result = await tfod(
      env,
      'deploy',
      job,
      '--target',
      'sagemaker',
      '--instance-type',
      'm5.large',
    );
    assertOneLineError(result, /not a SageMaker instance type/);
  });
});

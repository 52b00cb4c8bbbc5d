import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeEndpointCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '../../../src/core/aws/session';
import { UserError } from '../../../src/core/errors';
import type { DeployProgress, LogEvent } from '../../../src/core/jobs';
import {
  SageMakerTarget,
  TRAINING_JOB_LOG_GROUP,
  tailLogStreams,
} from '../../../src/core/sagemaker';
import { useMoto } from '../harness/services';
import { sampleSpec } from '../../unit/sagemaker/fixtures';
import { guardSdkBoundary, type BoundaryCall } from './harness';

// The SageMaker target through the real AWS SDK over HTTP to a moto server (reached only through
// AWS_ENDPOINT_URL). Every mutating request is checked by the AWS CLI's parameter validation on
// its way; StopTrainingJob and UpdateEndpoint, which moto does not implement, are answered at the
// SDK boundary after that check (see harness.ts).
describe('SageMaker target against moto', () => {
  let moto: ReturnType<typeof useMoto>;
  let target: SageMakerTarget;
  let calls: BoundaryCall[];
  let logs: CloudWatchLogsClient;
  const run = `${process.pid}-${Date.now() % 100000}`;
  const jobName = `tfod-itest-${run}`;

  before(() => {
    moto = useMoto();
    target = new SageMakerTarget();
    calls = guardSdkBoundary(target.clients.sagemaker);
    logs = new CloudWatchLogsClient(awsClientConfig({}));
  });
  after(() => {
    target?.dispose();
    logs?.destroy();
    moto?.restore();
  });

  async function writeLog(stream: string, ...messages: string[]): Promise<void> {
    await logs
      .send(new CreateLogGroupCommand({ logGroupName: TRAINING_JOB_LOG_GROUP }))
      .catch((error: { name?: string }) => {
        if (error.name !== 'ResourceAlreadyExistsException') throw error;
      });
    await logs
      .send(
        new CreateLogStreamCommand({ logGroupName: TRAINING_JOB_LOG_GROUP, logStreamName: stream }),
      )
      .catch((error: { name?: string }) => {
        if (error.name !== 'ResourceAlreadyExistsException') throw error;
      });
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: TRAINING_JOB_LOG_GROUP,
        logStreamName: stream,
        logEvents: messages.map((message, i) => ({ timestamp: now + i, message })),
      }),
    );
  }

  it('starts a training job with the validated request, then describes and lists it', async () => {
    const started = await target.startTrainingJob(sampleSpec({ name: jobName }));
    assert.equal(started.status, 'InProgress');
    assert.match(started.id, new RegExp(`:training-job/${jobName}$`));
    const create = calls.find((call) => call.operation === 'CreateTrainingJob');
    assert.equal(create?.faked, false);
    assert.equal(create?.input.TrainingJobName, jobName);

    const job = await target.describeTrainingJob(jobName);
    assert.equal(job.name, jobName);
    assert.equal(job.status, 'Completed'); // moto completes jobs at once
    assert.equal(job.image, sampleSpec().image);
    assert.equal(job.roleArn, sampleSpec().roleArn);
    assert.equal(job.instanceType, 'ml.g4dn.xlarge');
    assert.deepEqual(job.hyperparameters, {
      num_steps: '5000',
      quantize: 'true',
      image_size: '320',
      inference_type: 'FLOAT',
    });
    assert.equal(job.modelArtifacts, `s3://my-bucket/output/${jobName}/output/model.tar.gz`);
    assert.equal(typeof job.lastMetrics['train:progress'], 'number');

    const listed = await target.listTrainingJobs({ nameContains: run });
    assert.deepEqual(
      listed.map((summary) => [summary.name, summary.status, summary.target]),
      [[jobName, 'Completed', 'sagemaker']],
    );
    assert.ok((await target.listTrainingJobs({ maxResults: 1 })).length <= 1);
  });

  it('starts a managed spot job and reads back its max wait, checkpoints and TensorBoard paths', async () => {
    const name = `${jobName}-spot`;
    await target.startTrainingJob(
      sampleSpec({ name, spot: true, maxWaitSeconds: 172_800, maxRuntimeSeconds: 86_400 }),
    );
    const create = calls.filter((call) => call.operation === 'CreateTrainingJob').at(-1);
    assert.equal(create?.input.EnableManagedSpotTraining, true);
    const job = await target.describeTrainingJob(name);
    assert.equal(job.spot, true);
    assert.equal(job.maxWaitSeconds, 172_800);
    assert.equal(job.checkpointsPath, `s3://my-bucket/output/${name}/checkpoints/`);
    assert.equal(job.tensorboardPath, `s3://my-bucket/output/${name}/tensorboard/`);
  });

  it('refuses an invalid spec before calling SageMaker', async () => {
    const before = calls.length;
    await assert.rejects(
      target.startTrainingJob(sampleSpec({ name: `bad_${run}`, roleArn: 'admin' })),
      (error: unknown) =>
        error instanceof UserError && /contains '_'.*not an IAM role ARN/.test(error.message),
    );
    assert.equal(calls.length, before);
  });

  it('stops a training job (StopTrainingJob faked: moto lacks it)', async () => {
    await target.stopTrainingJob(jobName);
    const stop = calls.filter((call) => call.operation === 'StopTrainingJob');
    assert.deepEqual(stop, [
      { operation: 'StopTrainingJob', input: { TrainingJobName: jobName }, faked: true },
    ]);
  });

  it('says when a job does not exist', async () => {
    await assert.rejects(
      target.describeTrainingJob(`missing-${run}`),
      (error: unknown) =>
        error instanceof UserError &&
        error.message === `training job 'missing-${run}' was not found in this account and region`,
    );
  });

  it('deploys the job: model, endpoint config, endpoint, waits until InService', async () => {
    const progress: DeployProgress[] = [];
    const result = await target.deploy(
      {
        job: jobName,
        endpointName: `pets-${run}`,
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        tags: { project: 'pets' },
      },
      { pollIntervalMs: 50, onProgress: (p) => progress.push(p) },
    );
    assert.equal(result.updated, false);
    assert.equal(result.endpoint.status, 'InService');
    assert.equal(result.endpoint.configName, result.configName);
    assert.deepEqual(
      progress.map((p) => p.phase),
      ['model', 'config', 'create', 'wait'],
    );
    assert.deepEqual(
      calls
        .filter((call) => /^Create(Model|Endpoint)/.test(call.operation))
        .map((c) => [c.operation, c.faked]),
      [
        ['CreateModel', false],
        ['CreateEndpointConfig', false],
        ['CreateEndpoint', false],
      ],
    );

    const raw = target.clients.sagemaker;
    const models = await raw.send(new ListModelsCommand({ NameContains: run }));
    // moto ignores NameContains, and other test files share the server: filter here.
    assert.deepEqual(
      models.Models?.map((model) => model.ModelName).filter((name) => name?.includes(run)),
      [jobName],
    );
    const configs = await raw.send(new ListEndpointConfigsCommand({ NameContains: run }));
    assert.ok(configs.EndpointConfigs?.some((c) => c.EndpointConfigName === result.configName));

    const described = await target.describeEndpoint(`pets-${run}`);
    assert.equal(described.instanceType, 'ml.m5.large');
    assert.equal(described.instanceCount, 1);
    assert.equal(described.modelName, jobName);
    const listed = await target.listEndpoints();
    assert.ok(
      listed.some((endpoint) => endpoint.name === `pets-${run}` && endpoint.status === 'InService'),
    );
  });

  it('updates the existing endpoint in place (UpdateEndpoint faked: moto lacks it)', async () => {
    // Config names carry a timestamp to the second; make sure this one differs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await target.deploy(
      { job: jobName, endpointName: `pets-${run}`, instanceType: 'ml.m5.xlarge', instanceCount: 2 },
      { pollIntervalMs: 50 },
    );
    assert.equal(result.updated, true);
    assert.equal(result.modelName, jobName, 'the same model is reused');
    const update = calls.filter((call) => call.operation === 'UpdateEndpoint');
    assert.deepEqual(update, [
      {
        operation: 'UpdateEndpoint',
        input: { EndpointName: `pets-${run}`, EndpointConfigName: result.configName },
        faked: true,
      },
    ]);
    const described = await target.describeEndpoint(`pets-${run}`);
    assert.equal(described.configName, result.configName);
    assert.equal(described.instanceType, 'ml.m5.xlarge');
    assert.equal(described.instanceCount, 2);
  });

  it('invokes the endpoint through sagemaker-runtime', async () => {
    const answer = await fetch(`${moto.url}/moto-api/static/sagemaker/endpoint-results`, {
      method: 'POST',
      body: JSON.stringify({
        results: [{ Body: '{"detections":[]}', ContentType: 'application/json' }],
      }),
    });
    assert.ok(answer.ok);
    const result = await target.invokeEndpoint(
      `pets-${run}`,
      '{"instances":[]}',
      'application/json',
    );
    assert.equal(new TextDecoder().decode(result.body), '{"detections":[]}');
    assert.equal(result.contentType, 'application/json');
  });

  it('deletes the endpoint', async () => {
    await target.deleteEndpoint(`pets-${run}`);
    assert.ok(!(await target.listEndpoints()).some((endpoint) => endpoint.name === `pets-${run}`));
    await assert.rejects(
      target.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: `pets-${run}` })),
      /Could not find endpoint/,
    );
    await assert.rejects(target.describeEndpoint(`pets-${run}`), /was not found/);
    assert.ok(calls.some((call) => call.operation === 'DeleteEndpoint' && !call.faked));
  });

  it("tails the job's CloudWatch log streams; follow ends once the job has ended", async () => {
    await writeLog(
      `${jobName}/algo-1-1700000000`,
      'Starting training',
      '#metric step=100 total_loss=1.5',
    );
    await writeLog(`${jobName}/algo-2-1700000000`, 'second instance');
    await writeLog(`${jobName}x/algo-1-1700000000`, 'another job');
    const events: LogEvent[] = [];
    for await (const event of target.tailLogs(jobName)) events.push(event);
    assert.deepEqual(events.map((event) => event.message).sort(), [
      '#metric step=100 total_loss=1.5',
      'Starting training',
      'second instance',
    ]);
    // The job is Completed (moto), so following drains once more and ends by itself.
    const followed: LogEvent[] = [];
    for await (const event of target.tailLogs(jobName, { follow: true, pollIntervalMs: 50 }))
      followed.push(event);
    assert.equal(followed.length, 3);
  });

  it('follows new events and new streams as they arrive, until aborted', async () => {
    const job = `tfod-follow-${run}`;
    await writeLog(`${job}/algo-1-1`, 'line 1');
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const event of tailLogStreams(logs, `${job}/`, {
        follow: true,
        pollIntervalMs: 50,
        signal: controller.signal,
      }))
        seen.push(event.message);
    })();
    const waitFor = async (count: number): Promise<void> => {
      for (let i = 0; i < 200 && seen.length < count; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(seen.length >= count, `saw only ${seen.join(' | ')}`);
    };
    await waitFor(1);
    await writeLog(`${job}/algo-1-1`, 'line 2', 'line 3');
    await waitFor(3);
    await writeLog(`${job}/algo-2-1`, 'from instance 2');
    await waitFor(4);
    controller.abort();
    await following;
    assert.deepEqual(seen, ['line 1', 'line 2', 'line 3', 'from instance 2']);
  });

  it("charts metrics from the job's logs and its final metrics", async () => {
    await writeLog(
      `${jobName}/algo-1-1700000000`,
      '#metric step=200 total_loss=0.9 learning_rate=0.004',
      '#metric step=200 eval_mAP=0.42',
    );
    const metrics = await target.metrics(jobName);
    assert.deepEqual(metrics.series[0], {
      name: 'total_loss',
      points: [
        { step: 100, value: 1.5 },
        { step: 200, value: 0.9 },
      ],
    });
    assert.deepEqual(
      metrics.series.map((series) => series.name),
      ['total_loss', 'learning_rate', 'eval_mAP'],
    );
    assert.equal(typeof metrics.final['train:progress'], 'number');
  });

  it('sent every mutating request through the CLI check, and faked only what moto lacks', () => {
    assert.deepEqual(
      [...new Set(calls.filter((call) => call.faked).map((call) => call.operation))].sort(),
      ['StopTrainingJob', 'UpdateEndpoint'],
    );
    assert.ok(calls.length >= 7);
  });
});

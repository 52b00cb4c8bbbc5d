import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  ActivityPoller,
  elapsedMs,
  formatDuration,
  isEndpointActive,
  isTrainingJobActive,
  samplesFromLogLines,
  seriesFromSamples,
} from '../../../src/core/jobs';
import {
  endpointConsoleUrl,
  endpointCostWarning,
  explainSageMakerError,
  trainingJobConsoleUrl,
  trainingJobLogsConsoleUrl,
} from '../../../src/core/sagemaker';
import { endpointCostHint, endpointTooltip } from '../../../src/extension/views/presentation';
import { awsError, notFound } from './stubs';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('what the jobs view shows', () => {
  it('links jobs, endpoints and logs into the AWS console of their region', () => {
    assert.equal(
      trainingJobConsoleUrl('eu-west-1', 'tfod-20240131-235959'),
      'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/tfod-20240131-235959',
    );
    assert.equal(
      endpointConsoleUrl('us-east-1', 'pets'),
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/pets',
    );
    assert.equal(
      trainingJobConsoleUrl('cn-north-1', 'j'),
      'https://cn-north-1.console.amazonaws.cn/sagemaker/home?region=cn-north-1#/jobs/j',
    );
    assert.equal(
      trainingJobLogsConsoleUrl('us-east-1', 'j-1'),
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Dj-1$252F',
    );
  });

  it('warns what an endpoint keeps costing before it is deleted', () => {
    const text = endpointCostWarning({
      target: 'sagemaker',
      name: 'pets',
      id: 'arn',
      status: 'InService',
      instanceType: 'ml.g4dn.xlarge',
      instanceCount: 2,
    });
    assert.match(
      text,
      /^Delete endpoint 'pets'\? It runs 2 × ml\.g4dn\.xlarge \(GPU\) and keeps costing while InService/,
    );
    assert.match(text, /the model and its model\.tar\.gz in S3 stay/);
    const unknown = endpointCostWarning({
      target: 'sagemaker',
      name: 'e',
      id: 'a',
      status: 'Creating',
    });
    assert.match(unknown, /It runs its instances and keeps costing while InService/);
    assert.match(unknown, /It is Creating now/);
  });

  it('says how an autoscaled or serverless endpoint runs and is billed', () => {
    const base = {
      target: 'sagemaker' as const,
      name: 'pets',
      id: 'arn',
      status: 'InService' as const,
    };
    const scaled = {
      ...base,
      instanceType: 'ml.m5.large',
      instanceCount: 2,
      autoscaling: { minInstances: 1, maxInstances: 4, targetInvocations: 70 },
    };
    assert.equal(
      endpointCostHint(scaled),
      'Autoscaling 1-4 × ml.m5.large (2 now), target 70 invocations/instance/minute; billed per instance-hour for the instances running',
    );
    assert.match(
      endpointCostWarning(scaled),
      /It autoscales between 1 and 4 instances, so it never costs less than 1\. Deleting it stops the charges and removes its autoscaling;/,
    );
    const serverless = { ...base, serverless: { memoryMb: 2048, maxConcurrency: 5 } };
    assert.equal(
      endpointCostHint(serverless),
      'Serverless (2048 MB, max concurrency 5): billed per request for compute time and data, nothing while idle',
    );
    assert.match(endpointCostWarning(serverless), /billed only for the requests it serves/);
    assert.match(endpointTooltip(scaled), /Autoscaling 1-4 × ml\.m5\.large \(2 now\)/);
    assert.match(
      endpointCostHint({ ...base, instanceType: 'ml.m5.large', autoscalingUnknown: 'denied' }),
      /billed per instance-hour while InService \(autoscaling unknown: denied\)$/,
    );
  });

  it('knows which states still change, and how long a job has run', () => {
    assert.deepEqual(
      (['InProgress', 'Stopping', 'Completed', 'Failed', 'Stopped'] as const).map(
        isTrainingJobActive,
      ),
      [true, true, false, false, false],
    );
    assert.equal(isEndpointActive('Creating'), true);
    assert.equal(isEndpointActive('InService'), false);
    const job = {
      target: 'sagemaker' as const,
      name: 'j',
      id: 'a',
      creationTime: new Date(0),
      trainingStartTime: new Date(60_000),
    };
    assert.equal(elapsedMs({ ...job, status: 'InProgress' }, new Date(3_785_000)), 3_725_000);
    assert.equal(
      elapsedMs({ ...job, status: 'Completed', trainingEndTime: new Date(125_000) }, new Date(9e9)),
      65_000,
    );
    assert.equal(formatDuration(3_725_000), '1h 02m');
    assert.equal(formatDuration(65_000), '1m 05s');
    assert.equal(formatDuration(4_000), '4s');
  });

  it('turns #metric log lines into series over steps, losses first', () => {
    const samples = samplesFromLogLines([
      'INFO:tensorflow:loss = 1.2, step = 100',
      '#metric step=100 total_loss=1.2 learning_rate=0.004',
      '#metric step=200 total_loss=0.9 classification_loss=0.5\nnoise\n#metric step=200 eval_mAP=0.31',
      '#metric step=100 total_loss=1.1',
    ]);
    assert.deepEqual(seriesFromSamples(samples), [
      {
        name: 'total_loss',
        points: [
          { step: 100, value: 1.1 },
          { step: 200, value: 0.9 },
        ],
      },
      { name: 'classification_loss', points: [{ step: 200, value: 0.5 }] },
      { name: 'learning_rate', points: [{ step: 100, value: 0.004 }] },
      { name: 'eval_mAP', points: [{ step: 200, value: 0.31 }] },
    ]);
  });

  it('explains SageMaker errors with what to do', () => {
    const missing = explainSageMakerError(notFound('training job'), {
      kind: 'training job',
      name: 'j',
    });
    assert.ok(missing instanceof UserError);
    assert.equal(missing.message, "training job 'j' was not found in this account and region");
    const quota = explainSageMakerError(
      awsError(
        'ResourceLimitExceeded',
        'The account-level service limit for ml.p3.2xlarge is 0 Instances',
      ),
      { kind: 'training job', name: 'j' },
    );
    assert.ok(quota instanceof UserError);
    assert.match(quota.fix ?? '', /Service Quotas/);
    const denied = explainSageMakerError(awsError('AccessDeniedException', 'no iam:PassRole'));
    assert.ok(denied instanceof UserError);
    assert.match(denied.fix ?? '', /iam:PassRole/);
    const bug = new TypeError('x is undefined');
    assert.equal(explainSageMakerError(bug), bug);
  });
});

describe('polling while something is in progress', () => {
  it('polls while active, stops when nothing is, and starts again when kicked', async () => {
    const answers = [true, true, false];
    let polls = 0;
    const poller = new ActivityPoller(async () => answers[polls++] ?? false, { intervalMs: 5 });
    poller.kick();
    for (let i = 0; i < 200 && polls < 3; i++) await sleep(5);
    await sleep(40);
    assert.equal(polls, 3);
    assert.equal(poller.active, false);
    poller.kick();
    await sleep(20);
    assert.equal(polls, 4);
    poller.dispose();
  });

  it('pauses after an error until kicked, and a kick during a poll polls again right after', async () => {
    const errors: unknown[] = [];
    let polls = 0;
    let release: (() => void) | undefined;
    const poller = new ActivityPoller(
      async () => {
        polls++;
        if (polls === 1) await new Promise<void>((resolve) => (release = resolve));
        if (polls === 2) throw new Error('throttled');
        return true;
      },
      { intervalMs: 5, onError: (error) => errors.push(error) },
    );
    poller.kick();
    await sleep(5);
    poller.kick(); // while the first poll is in flight
    release?.();
    await sleep(40);
    assert.equal(polls, 2);
    assert.equal(errors.length, 1);
    assert.equal(poller.active, false);
    poller.kick();
    await sleep(30);
    assert.ok(polls >= 4, `kept polling while active (${polls} polls)`);
    poller.dispose();
    const after = polls;
    await sleep(30);
    assert.ok(polls <= after + 1);
  });
});

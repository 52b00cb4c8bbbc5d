import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { SageMakerTarget } from '../../../src/core/sagemaker/target';
import { StubClient, awsError } from './stubs';

function targetWith(
  sagemaker: StubClient,
  logs = new StubClient({}),
  runtime = new StubClient({}),
  autoscaling = new StubClient({}),
): SageMakerTarget {
  return new SageMakerTarget({
    clients: {
      sagemaker: sagemaker.asSageMaker(),
      logs: logs.asLogs(),
      runtime: runtime as never,
      autoscaling: autoscaling.asAutoscaling(),
    },
  });
}

describe('SageMaker target (stubbed SDK)', () => {
  it('lists jobs newest first across pages, up to maxResults', async () => {
    const page = (names: string[], next?: string) => ({
      TrainingJobSummaries: names.map((name) => ({
        TrainingJobName: name,
        TrainingJobArn: `arn:${name}`,
        TrainingJobStatus: 'InProgress',
        SecondaryStatus: 'Training',
        CreationTime: new Date(0),
      })),
      ...(next ? { NextToken: next } : {}),
    });
    const sagemaker = new StubClient({
      ListTrainingJobs: (input) =>
        input.NextToken ? page(['c', 'd'], 't2') : page(['a', 'b'], 't1'),
    });
    const jobs = await targetWith(sagemaker).listTrainingJobs({ maxResults: 3, nameContains: 'x' });
    assert.deepEqual(
      jobs.map((job) => job.name),
      ['a', 'b', 'c'],
    );
    assert.equal(jobs[0]?.secondaryStatus, 'Training');
    assert.deepEqual(sagemaker.calls[0]?.input, {
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 3,
      NameContains: 'x',
    });
    assert.equal(sagemaker.calls[1]?.input.MaxResults, 1);
  });

  it('says why a job that has ended cannot be stopped', async () => {
    const sagemaker = new StubClient({
      StopTrainingJob: () => {
        throw awsError(
          'ValidationException',
          'The request was rejected because the training job is in status Completed.',
        );
      },
      DescribeTrainingJob: () => ({
        TrainingJobName: 'j',
        TrainingJobStatus: 'Completed',
        CreationTime: new Date(0),
      }),
    });
    await assert.rejects(
      targetWith(sagemaker).stopTrainingJob('j'),
      (error: unknown) =>
        error instanceof UserError &&
        error.message === "training job 'j' cannot be stopped: it is Completed" &&
        error.fix === 'Only a job that is InProgress can be stopped',
    );
  });

  it('follows logs only while the job is in progress', async () => {
    let describes = 0;
    const sagemaker = new StubClient({
      DescribeTrainingJob: () => ({
        TrainingJobName: 'j',
        TrainingJobStatus: ++describes < 3 ? 'InProgress' : 'Failed',
        FailureReason: 'AlgorithmError: out of memory',
        CreationTime: new Date(0),
      }),
    });
    const logs = new StubClient({
      DescribeLogStreams: () => ({ logStreams: [{ logStreamName: 'j/algo-1-1' }] }),
      GetLogEvents: (input) =>
        input.nextToken
          ? { events: [], nextForwardToken: input.nextToken }
          : { events: [{ timestamp: 1, message: 'hello' }], nextForwardToken: 'f/1' },
    });
    const messages: string[] = [];
    for await (const event of targetWith(sagemaker, logs).tailLogs('j', {
      follow: true,
      pollIntervalMs: 1,
    }))
      messages.push(event.message);
    assert.deepEqual(messages, ['hello']);
    assert.equal(describes, 3);
    assert.ok(
      logs.calls.every(
        (call) =>
          call.operation !== 'GetLogEvents' ||
          call.input.logGroupName === '/aws/sagemaker/TrainingJobs',
      ),
    );
  });

  it('explains an endpoint error answer', async () => {
    const runtime = new StubClient({
      InvokeEndpoint: () => {
        throw awsError('ModelError', 'Received server error (500) from primary');
      },
    });
    await assert.rejects(
      targetWith(new StubClient({}), new StubClient({}), runtime).invokeEndpoint(
        'pets',
        '{}',
        'application/json',
      ),
      (error: unknown) =>
        error instanceof UserError &&
        /endpoint 'pets' answered with an error: Received server error/.test(error.message) &&
        /\/aws\/sagemaker\/Endpoints\/pets/.test(error.fix ?? ''),
    );
    assert.deepEqual(runtime.calls[0]?.input.Body, new TextEncoder().encode('{}'));
  });
});

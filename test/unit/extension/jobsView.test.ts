import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  EndpointSummary,
  Target,
  TrainingJobDetails,
  TrainingJobSummary,
} from '../../../src/core/jobs';
import { JobsModel } from '../../../src/extension/views/jobsModel';
import {
  endpointContextValue,
  endpointDescription,
  jobContextValue,
  jobDescription,
  jobLook,
  jobTooltip,
} from '../../../src/extension/views/presentation';

const created = new Date('2024-01-31T10:00:00Z');
const now = new Date('2024-01-31T10:12:05Z');

function summary(name: string, status: TrainingJobSummary['status']): TrainingJobSummary {
  return {
    target: 'sagemaker',
    name,
    id: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
    status,
    creationTime: created,
  };
}

function details(
  job: TrainingJobSummary,
  extra: Partial<TrainingJobDetails> = {},
): TrainingJobDetails {
  return {
    ...job,
    hyperparameters: { num_steps: '100' },
    lastMetrics: {},
    statusHistory: [],
    ...extra,
  };
}

/** A Target that answers from lists and counts the calls (only what the view uses). */
function fakeTarget(
  jobs: TrainingJobSummary[],
  endpoints: EndpointSummary[],
  more: Record<string, Partial<TrainingJobDetails>> = {},
) {
  const calls = { list: 0, describe: [] as string[] };
  const target = {
    kind: 'sagemaker',
    listTrainingJobs: async () => (calls.list++, jobs),
    listEndpoints: async () => endpoints,
    describeTrainingJob: async (name: string) => {
      calls.describe.push(name);
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no ${name}`);
      return details(job, more[name]);
    },
  } as unknown as Target;
  return { target, calls };
}

describe('the jobs view model', () => {
  it('says a job is in progress (so the view polls) and stops once everything has settled', async () => {
    const running = summary('a', 'InProgress');
    const { target, calls } = fakeTarget([running, summary('b', 'Completed')], []);
    const model = new JobsModel();
    assert.equal(await model.refresh([{ kind: 'sagemaker', target }]), true);
    assert.equal(model.visible().length, 1);
    assert.deepEqual(
      model.jobs('sagemaker').map((j) => j.details?.status),
      ['InProgress', 'Completed'],
    );
    // An ended job is described once and kept; a running one every time.
    await model.refresh([{ kind: 'sagemaker', target }]);
    assert.deepEqual(calls.describe.sort(), ['a', 'a', 'b']);
    const settled = fakeTarget(
      [summary('b', 'Completed')],
      [{ target: 'sagemaker', name: 'ep', id: 'arn:ep', status: 'InService' }],
    );
    assert.equal(await model.refresh([{ kind: 'sagemaker', target: settled.target }]), false);
  });

  it('polls while an endpoint is Creating', async () => {
    const { target } = fakeTarget(
      [],
      [{ target: 'sagemaker', name: 'ep', id: 'arn:ep', status: 'Creating' }],
    );
    assert.equal(await new JobsModel().refresh([{ kind: 'sagemaker', target }]), true);
  });

  it('shows nothing when a target has no jobs or endpoints (the welcome content stays)', async () => {
    const { target } = fakeTarget([], []);
    const model = new JobsModel();
    await model.refresh([{ kind: 'sagemaker', target }]);
    assert.deepEqual(model.visible(), []);
  });

  it('keeps the last lists and records the error when a refresh fails', async () => {
    const { target } = fakeTarget([summary('a', 'Completed')], []);
    const model = new JobsModel();
    await model.refresh([{ kind: 'sagemaker', target }]);
    const broken = {
      ...target,
      listTrainingJobs: async () => Promise.reject(new Error('no AWS credentials found')),
    } as Target;
    assert.equal(await model.refresh([{ kind: 'sagemaker', target: broken }]), false);
    const snapshot = model.snapshot('sagemaker');
    assert.equal(snapshot?.error, 'no AWS credentials found');
    assert.equal(snapshot?.jobs.length, 1);
  });

  it('forgets a target that is no longer selected', async () => {
    const { target } = fakeTarget([summary('a', 'Completed')], []);
    const model = new JobsModel();
    await model.refresh([{ kind: 'sagemaker', target }]);
    await model.refresh([]);
    assert.deepEqual(model.visible(), []);
  });
});

describe('what a job and an endpoint look like in the tree', () => {
  it('describes a job by secondary status, elapsed time and its loss', () => {
    const job = { ...summary('a', 'InProgress'), secondaryStatus: 'Training' };
    assert.equal(jobDescription(job, undefined, now), 'Training · 12m 05s');
    const withMetrics = details(job, {
      lastMetrics: { learning_rate: 0.004, total_loss: 0.41234 },
    });
    assert.equal(jobDescription(job, withMetrics, now), 'Training · 12m 05s · total_loss 0.4123');
  });

  it('gives every status its own icon, spinning while it runs', () => {
    assert.equal(jobLook('InProgress').icon, 'sync~spin');
    assert.equal(jobLook('Completed').icon, 'pass');
    assert.equal(jobLook('Failed').icon, 'error');
    assert.equal(jobLook('Stopped').icon, 'circle-slash');
    assert.notEqual(jobLook('Completed').color, jobLook('Failed').color);
  });

  it('puts the failure reason and model in the tooltip', () => {
    const failed = summary('f', 'Failed');
    const text = jobTooltip(
      failed,
      details(failed, { failureReason: 'AlgorithmError: no TFRecords' }),
      now,
    );
    assert.match(text, /\*\*Failure:\*\* AlgorithmError: no TFRecords/);
    assert.match(text, /training-job\/f/);
  });

  it('sets the flags the menus match: stop only while running, deploy only when completed', () => {
    assert.equal(jobContextValue(summary('a', 'InProgress')), 'job sagemaker active stoppable');
    const done = summary('b', 'Completed');
    assert.equal(
      jobContextValue(
        done,
        details(done, { modelArtifacts: 's3://my-bucket/output/model.tar.gz' }),
      ),
      'job sagemaker ended completed hasModel',
    );
    const menu = /^job\b.*\bstoppable\b/;
    assert.ok(menu.test(jobContextValue(summary('a', 'InProgress'))));
    assert.ok(!menu.test(jobContextValue(done)));
    const endpoint: EndpointSummary = {
      target: 'sagemaker',
      name: 'ep',
      id: 'arn',
      status: 'Deleting',
    };
    assert.equal(endpointContextValue(endpoint), 'endpoint sagemaker active');
    assert.equal(
      endpointDescription({
        ...endpoint,
        status: 'InService',
        instanceType: 'ml.m5.large',
        instanceCount: 2,
      }),
      'InService · 2 × ml.m5.large',
    );
  });
});

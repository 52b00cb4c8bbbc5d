// Which jobs-view nodes "Detect in Many Images" is offered on, and what it runs: the pure
// decision (src/extension/batch/batchModel.ts) and package.json's menu `when` clause, matched
// against the contextValues the view really sets, must agree node for node.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type {
  EndpointSummary,
  TrainingJobDetails,
  TrainingJobStatus,
} from '../../../src/core/jobs';
import { batchModelOf } from '../../../src/extension/batch/batchModel';
import type { JobsNode } from '../../../src/extension/views/nodes';
import { contextValue, jobsMenu } from '../evaluation/jobsMenu';

const S3_MODEL = 's3://my-bucket/tfod/job-a/output/model.tar.gz';
const LOCAL_MODEL = join('/work', 'jobs', 'job-b', 'output', 'model.tar.gz');

function job(kind: 'local' | 'sagemaker', status: TrainingJobStatus, model?: string): JobsNode {
  const details: TrainingJobDetails = {
    target: kind,
    name: `${kind}-${status}`,
    id: `id-${kind}-${status}`,
    status,
    creationTime: new Date('2024-01-31T10:00:00Z'),
    hyperparameters: {},
    lastMetrics: {},
    statusHistory: [],
    ...(model ? { modelArtifacts: model } : {}),
  };
  return { type: 'job', kind, entry: { summary: details, details } };
}

describe('Detect in Many Images on the jobs view', () => {
  it('a SageMaker job or its model runs as that job; a local one from disk', () => {
    assert.deepEqual(batchModelOf(job('sagemaker', 'Completed', S3_MODEL)), {
      kind: 'sagemaker',
      job: 'sagemaker-Completed',
      uri: S3_MODEL,
    });
    assert.deepEqual(batchModelOf({ type: 'model', kind: 'sagemaker', job: 'a', uri: S3_MODEL }), {
      kind: 'sagemaker',
      job: 'a',
      uri: S3_MODEL,
    });
    assert.deepEqual(batchModelOf(job('local', 'Completed', LOCAL_MODEL)), {
      kind: 'local',
      path: LOCAL_MODEL,
    });
    assert.equal(batchModelOf(undefined), undefined);
  });

  it('the menu offers it on exactly the nodes the command can run', () => {
    const re = jobsMenu('tfod.model.batchDetect');
    const nodes: JobsNode[] = [];
    for (const kind of ['local', 'sagemaker'] as const) {
      const model = kind === 'local' ? LOCAL_MODEL : S3_MODEL;
      for (const status of ['InProgress', 'Completed', 'Failed', 'Stopped'] as const)
        nodes.push(job(kind, status, model), job(kind, status));
      nodes.push({ type: 'model', kind, job: 'j', uri: model });
      nodes.push({ type: 'target', kind }, { type: 'endpoints', kind });
      const endpoint: EndpointSummary = {
        target: kind,
        name: 'e',
        id: 'e',
        status: 'InService',
        url: 'http://127.0.0.1:8080',
      };
      nodes.push({ type: 'endpoint', kind, endpoint });
    }
    for (const node of nodes)
      assert.equal(
        re.test(contextValue(node)),
        batchModelOf(node) !== undefined,
        `${contextValue(node)}: the menu and the command disagree`,
      );
    assert.deepEqual(
      nodes
        .filter((node) => re.test(contextValue(node)))
        .map(contextValue)
        .sort(),
      [
        'job local ended completed hasModel',
        'job sagemaker ended completed hasModel',
        'model local',
        'model sagemaker',
      ],
    );
  });
});

// Which jobs-view nodes "Evaluate Model" is offered on, and where their model comes from: the
// pure decision (src/extension/evaluation/evaluatedModel.ts) and package.json's menu `when`
// clause, matched against the contextValues the view really sets, must agree node for node.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import type {
  EndpointSummary,
  TrainingJobDetails,
  TrainingJobStatus,
  TrainingJobSummary,
} from '../../../src/core/jobs';
import type { TargetKind } from '../../../src/core/target';
import {
  evaluatedModelLabel,
  evaluatedModelOf,
} from '../../../src/extension/evaluation/evaluatedModel';
import type { JobsNode } from '../../../src/extension/views/nodes';
import { contextValue, jobsMenu } from './jobsMenu';

const S3_MODEL = 's3://my-bucket/tfod/job-a/output/model.tar.gz';
const LOCAL_MODEL = join('/work', 'jobs', 'job-b', 'output', 'model.tar.gz');

function job(kind: TargetKind, status: TrainingJobStatus, modelArtifacts?: string): JobsNode {
  const summary: TrainingJobSummary = {
    target: kind,
    name: `${kind}-${status}`,
    id: `id-${kind}-${status}`,
    status,
    creationTime: new Date('2024-01-31T10:00:00Z'),
  };
  const details: TrainingJobDetails = {
    ...summary,
    hyperparameters: {},
    lastMetrics: {},
    statusHistory: [],
    ...(modelArtifacts ? { modelArtifacts } : {}),
  };
  return { type: 'job', kind, entry: { summary, details } };
}

function endpoint(kind: TargetKind, url?: string): JobsNode {
  const summary: EndpointSummary = {
    target: kind,
    name: `${kind}-endpoint`,
    id: `id-${kind}-endpoint`,
    status: kind === 'local' ? (url ? 'InService' : 'OutOfService') : 'InService',
    ...(url ? { url } : {}),
  };
  return { type: 'endpoint', kind, endpoint: summary };
}

describe('Evaluate Model on the jobs view', () => {
  const menu = jobsMenu('tfod.model.evaluate');

  it('is offered on the same nodes as Preview Detections, which runs the same model', () => {
    assert.equal(jobsMenu('tfod.preview.open').source, menu.source);
  });

  it('offers it on SageMaker jobs and their models: the model comes from S3', () => {
    const completed = job('sagemaker', 'Completed', S3_MODEL);
    assert.ok(menu.test(contextValue(completed)), contextValue(completed));
    assert.deepEqual(evaluatedModelOf(completed), { kind: 's3', uri: S3_MODEL });
    const model: JobsNode = { type: 'model', kind: 'sagemaker', job: 'a', uri: S3_MODEL };
    assert.ok(menu.test(contextValue(model)));
    assert.deepEqual(evaluatedModelOf(model), { kind: 's3', uri: S3_MODEL });
    assert.equal(evaluatedModelLabel({ kind: 's3', uri: S3_MODEL }), S3_MODEL);
  });

  it('a local model runs from disk, a file:// URI as its path', () => {
    assert.deepEqual(evaluatedModelOf(job('local', 'Completed', LOCAL_MODEL)), {
      kind: 'model',
      path: LOCAL_MODEL,
    });
    const uri = pathToFileURL(LOCAL_MODEL).href;
    assert.deepEqual(evaluatedModelOf({ type: 'model', kind: 'local', job: 'b', uri }), {
      kind: 'model',
      path: LOCAL_MODEL,
    });
  });

  it('endpoints: SageMaker by name, local by URL, a local one without a URL refused', () => {
    assert.deepEqual(evaluatedModelOf(endpoint('sagemaker')), {
      kind: 'sagemaker',
      endpoint: 'sagemaker-endpoint',
    });
    assert.deepEqual(evaluatedModelOf(endpoint('local', 'http://127.0.0.1:8080')), {
      kind: 'url',
      url: 'http://127.0.0.1:8080',
    });
    assert.throws(
      () => evaluatedModelOf(endpoint('local')),
      (error: unknown) =>
        error instanceof UserError &&
        /local endpoint local-endpoint has no URL \(it is OutOfService\)/.test(error.message) &&
        /Serve the model locally again/.test(error.fix ?? ''),
    );
    assert.equal(evaluatedModelOf(undefined), undefined);
    assert.equal(evaluatedModelOf({ uri: S3_MODEL }), undefined);
  });

  it('the menu offers it on exactly the nodes the command can evaluate', () => {
    const nodes: JobsNode[] = [];
    for (const kind of ['local', 'sagemaker'] as const) {
      const model = kind === 'local' ? LOCAL_MODEL : S3_MODEL;
      for (const status of ['InProgress', 'Completed', 'Failed', 'Stopped'] as const) {
        nodes.push(job(kind, status, model), job(kind, status));
      }
      nodes.push({ type: 'model', kind, job: 'j', uri: model });
      nodes.push({ type: 'target', kind }, { type: 'endpoints', kind });
      nodes.push({ type: 'error', kind, message: 'no credentials' });
      nodes.push(endpoint(kind, 'http://127.0.0.1:8080'));
    }
    nodes.push(endpoint('sagemaker'));
    const offered = nodes.filter((node) => menu.test(contextValue(node)));
    for (const node of nodes)
      assert.equal(
        menu.test(contextValue(node)),
        evaluatedModelOf(node) !== undefined,
        `${contextValue(node)}: the menu and the command disagree`,
      );
    // Completed jobs with a model on both targets, both model nodes, three endpoints.
    assert.deepEqual(offered.map(contextValue).sort(), [
      'endpoint local settled deletable hasUrl',
      'endpoint sagemaker settled deletable',
      'endpoint sagemaker settled deletable hasUrl',
      'job local ended completed hasModel',
      'job sagemaker ended completed hasModel',
      'model local',
      'model sagemaker',
    ]);
  });
});

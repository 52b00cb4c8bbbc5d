import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TEMPLATE_CONFIG, TWO_CLASS_LABEL_MAP } from './templateFixtures';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  type ServiceInputTypes,
} from '@aws-sdk/client-s3';
import type { TrainingJobSpec } from '../../../src/core/jobs';
import { checkTrainingData, trainingDataError } from '../../../src/core/jobs/trainingData';
import { writeSampleProject } from '../../../src/core/sample';
import { sampleSpec } from '../sagemaker/fixtures';

// Before a training job starts, its training channel's pipeline config and label map are checked
// as the upload checks them: a template placeholder in a field the container does not fill is an
// error that refuses the job, naming the file, line and field.

function spec(training: string): TrainingJobSpec {
  return sampleSpec({ name: 'placeholders', channels: { training } });
}

describe('the training data of a job about to start', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  function project(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'tfod-data-check-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('refuses a placeholder the container does not fill, naming file:line, the field and the fix', async () => {
    // No label map in the folder: nothing for the container to point label_map_path at.
    const root = project({ 'data/pipeline.config': TEMPLATE_CONFIG, 'data/train.record': 'x' });
    const check = await checkTrainingData(spec(join(root, 'data')), {
      target: 'local',
      base: root,
    });
    assert.deepEqual(
      check.problems.map((p) => [p.code, p.at]),
      [['invalid-config', { file: join('data', 'pipeline.config'), line: 10, column: 19 }]],
    );
    const error = trainingDataError(spec(join(root, 'data')), check);
    assert.match(
      error.message,
      /^cannot start training job 'placeholders': data\/pipeline\.config has 1 error the training job would fail on: data\/pipeline\.config:10:19: `label_map_path` is still the template's placeholder "PATH_TO_BE_CONFIGURED\/label_map\.pbtxt": the training job would fail on it\. Set the real path/,
    );
    assert.match(error.fix ?? '', /tfod validate --for-training data\/pipeline\.config/);
    assert.match(error.fix ?? '', /start the job again$/);
    assert.deepEqual(check.warnings, []);
  });

  it('accepts placeholders in the fields the container fills in from the channel', async () => {
    const root = project({
      'pipeline.config': TEMPLATE_CONFIG,
      'label_map.pbtxt': TWO_CLASS_LABEL_MAP,
      'train.record': 'x',
    });
    const check = await checkTrainingData(spec(root), { target: 'local' });
    assert.deepEqual(check, { problems: [], warnings: [] });
  });

  it('accepts the sample project as written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tfod-data-sample-'));
    roots.push(root);
    await writeSampleProject(join(root, 'sample'), { trainImages: 4 });
    const absolute = await checkTrainingData(spec(join(root, 'sample')), { target: 'local' });
    assert.deepEqual(absolute, { problems: [], warnings: [] });
  });

  it('lists the errors of the label map too, and leaves a missing folder to the target', async () => {
    const root = project({
      'pipeline.config': 'model { ssd { num_classes: 2 } }\n',
      'label_map.pbtxt': "item { id: 1 name: 'cat' }\nitem { id: -3 name: 'dog' }\n",
      'train.record': 'x',
    });
    const check = await checkTrainingData(spec(root), { target: 'local' });
    assert.deepEqual(
      check.problems.map((p) => [p.code, p.at.file, p.at.line]),
      [['invalid-label-map', join(root, 'label_map.pbtxt'), 2]],
    );
    assert.deepEqual(
      await checkTrainingData(spec(join(root, 'no-such-folder')), { target: 'local' }),
      { problems: [], warnings: [] },
    );
  });
});

/** An S3 client that answers from a map of keys, or fails every call with `failure`. */
function fakeS3(objects: Record<string, string>, failure?: Error): S3Client & { calls: string[] } {
  const calls: string[] = [];
  const client = {
    calls,
    send: (command: { input: ServiceInputTypes }) => {
      if (failure) return Promise.reject(failure);
      if (command instanceof ListObjectsV2Command) {
        const prefix = command.input.Prefix ?? '';
        calls.push(`list ${command.input.Bucket}/${prefix}`);
        return Promise.resolve({
          Contents: Object.keys(objects)
            .filter((key) => key.startsWith(prefix))
            .map((Key) => ({ Key })),
          IsTruncated: false,
        });
      }
      if (command instanceof GetObjectCommand) {
        const key = command.input.Key ?? '';
        calls.push(`get ${key}`);
        const text = objects[key];
        if (text === undefined)
          return Promise.reject(Object.assign(new Error('no such key'), { name: 'NoSuchKey' }));
        return Promise.resolve({
          Body: { transformToByteArray: () => Promise.resolve(new TextEncoder().encode(text)) },
        });
      }
      return Promise.reject(new Error('unexpected command'));
    },
  };
  return client as unknown as S3Client & { calls: string[] };
}

describe('the training data of a SageMaker job, read from S3', () => {
  const sagemaker = spec;

  it('refuses a placeholder in the uploaded config, naming the object and line', async () => {
    const s3 = fakeS3({
      'runs/one/pipeline.config': TEMPLATE_CONFIG,
      'runs/one/train.record': 'x',
      'runs/other/label_map.pbtxt': TWO_CLASS_LABEL_MAP,
    });
    const check = await checkTrainingData(sagemaker('s3://bucket/runs/one'), {
      target: 'sagemaker',
      s3,
    });
    assert.deepEqual(
      check.problems.map((p) => [p.code, p.at]),
      [['invalid-config', { file: 's3://bucket/runs/one/pipeline.config', line: 10, column: 19 }]],
    );
    assert.match(check.problems[0]?.message ?? '', /`label_map_path` is still the template's/);
    assert.deepEqual(s3.calls, ['list bucket/runs/one/', 'get runs/one/pipeline.config']);
  });

  it('accepts the same config with a label map uploaded beside it, and checks one against the other', async () => {
    const objects = {
      'runs/one/pipeline.config': TEMPLATE_CONFIG,
      'runs/one/label_map.pbtxt': TWO_CLASS_LABEL_MAP,
      'runs/one/train.record': 'x',
    };
    assert.deepEqual(
      await checkTrainingData(sagemaker('s3://bucket/runs/one/'), {
        target: 'sagemaker',
        s3: fakeS3(objects),
      }),
      { problems: [], warnings: [] },
    );
    // The label map the config names is found in the listing and read: its ids against num_classes.
    const named = TEMPLATE_CONFIG.replace(
      '"PATH_TO_BE_CONFIGURED/label_map.pbtxt"',
      '"label_map.pbtxt"',
    ).replace('num_classes: 2', 'num_classes: 1');
    const check = await checkTrainingData(sagemaker('s3://bucket/runs/one/'), {
      target: 'sagemaker',
      s3: fakeS3({ ...objects, 'runs/one/pipeline.config': named }),
    });
    assert.match(check.problems[0]?.message ?? '', /num_classes is 1 but the label map/);
  });

  it('warns and goes on when the prefix cannot be read or holds no config', async () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const unreadable = await checkTrainingData(sagemaker('s3://bucket/runs/one/'), {
      target: 'sagemaker',
      s3: fakeS3({}, denied),
    });
    assert.deepEqual(unreadable.problems, []);
    assert.match(
      unreadable.warnings.join('\n'),
      /pipeline\.config was not checked before the job starts: listing s3:\/\/bucket\/runs\/one\/ failed: access denied/,
    );
    const empty = await checkTrainingData(sagemaker('s3://bucket/runs/one/'), {
      target: 'sagemaker',
      s3: fakeS3({ 'runs/one/train.record': 'x' }),
    });
    assert.deepEqual(empty.problems, []);
    assert.match(empty.warnings.join('\n'), /s3:\/\/bucket\/runs\/one\/ holds no pipeline config/);
  });
});

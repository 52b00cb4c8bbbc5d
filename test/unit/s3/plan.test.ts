import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { layoutTrainingFolder, planProblemsError, planUpload } from '../../../src/core/s3/plan';

const TF1_MODEL = [
  'ssd_mobilenet_v2_coco_2018_03_29/model.ckpt.index',
  'ssd_mobilenet_v2_coco_2018_03_29/model.ckpt.data-00000-of-00001',
  'ssd_mobilenet_v2_coco_2018_03_29/model.ckpt.meta',
  'ssd_mobilenet_v2_coco_2018_03_29/checkpoint',
  'ssd_mobilenet_v2_coco_2018_03_29/pipeline.config',
  'ssd_mobilenet_v2_coco_2018_03_29/frozen_inference_graph.pb',
];

function keysOf(files: string[]): Record<string, string> {
  const layout = layoutTrainingFolder(files);
  return Object.fromEntries(layout.entries.map((e) => [e.relative, e.key]));
}

describe('upload plan: the seed layout', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('puts records, pipeline.config and label_map.pbtxt at the root and the model folder beside them', () => {
    const files = [
      'pipeline.config',
      'label_map.pbtxt',
      'data/train.record-00000-of-00002',
      'data/train.record-00001-of-00002',
      'data/val.record',
      'images/cat.jpg',
      'notes.txt',
      ...TF1_MODEL,
    ].sort();
    const layout = layoutTrainingFolder(files);
    assert.deepEqual(layout.problems, []);
    assert.deepEqual(keysOf(files), {
      'pipeline.config': 'pipeline.config',
      'label_map.pbtxt': 'label_map.pbtxt',
      'data/train.record-00000-of-00002': 'train.record-00000-of-00002',
      'data/train.record-00001-of-00002': 'train.record-00001-of-00002',
      'data/val.record': 'val.record',
      ...Object.fromEntries(TF1_MODEL.map((f) => [f, f])),
    });
    assert.equal(layout.checkpointFolder, 'ssd_mobilenet_v2_coco_2018_03_29');
    assert.deepEqual(layout.ignored, ['images/cat.jpg', 'notes.txt']);
  });

  it("never takes the model folder's own pipeline.config for the project's", () => {
    const keys = keysOf(['my_ssd.config', 'pets_label_map.pbtxt', 'train.record', ...TF1_MODEL]);
    assert.equal(keys['my_ssd.config'], 'pipeline.config');
    assert.equal(keys['pets_label_map.pbtxt'], 'label_map.pbtxt');
    assert.equal(
      keys['ssd_mobilenet_v2_coco_2018_03_29/pipeline.config'],
      'ssd_mobilenet_v2_coco_2018_03_29/pipeline.config',
    );
  });

  it('keeps a TF2 model folder whole under its own name (nested folders flattened to its name)', () => {
    const files = [
      'pipeline.config',
      'label_map.pbtxt',
      'train.tfrecord',
      'models/efficientdet_d0/checkpoint/ckpt-0.index',
      'models/efficientdet_d0/checkpoint/ckpt-0.data-00000-of-00001',
      'models/efficientdet_d0/checkpoint/checkpoint',
      'models/efficientdet_d0/saved_model/saved_model.pb',
    ];
    const layout = layoutTrainingFolder(files);
    assert.deepEqual(layout.problems, []);
    assert.equal(layout.checkpointFolder, 'efficientdet_d0');
    const keys = keysOf(files);
    assert.equal(
      keys['models/efficientdet_d0/checkpoint/ckpt-0.index'],
      'efficientdet_d0/checkpoint/ckpt-0.index',
    );
    assert.equal(
      keys['models/efficientdet_d0/saved_model/saved_model.pb'],
      'efficientdet_d0/saved_model/saved_model.pb',
    );
  });

  it('puts a checkpoint loose at the root into checkpoint/', () => {
    const files = [
      'pipeline.config',
      'label_map.pbtxt',
      'train.record',
      'model.ckpt.index',
      'model.ckpt.data-00000-of-00001',
      'checkpoint',
    ];
    const layout = layoutTrainingFolder(files);
    assert.deepEqual(layout.problems, []);
    assert.equal(layout.checkpointFolder, 'checkpoint');
    assert.deepEqual(keysOf(files), {
      'pipeline.config': 'pipeline.config',
      'label_map.pbtxt': 'label_map.pbtxt',
      'train.record': 'train.record',
      'model.ckpt.index': 'checkpoint/model.ckpt.index',
      'model.ckpt.data-00000-of-00001': 'checkpoint/model.ckpt.data-00000-of-00001',
      checkpoint: 'checkpoint/checkpoint',
    });
  });

  it('lists everything missing at once', () => {
    const layout = layoutTrainingFolder(['readme.md', 'images/a.jpg']);
    assert.deepEqual(
      layout.problems.map((p) => p.code),
      ['no-checkpoint', 'no-pipeline-config', 'no-label-map', 'no-records'],
    );
    for (const problem of layout.problems) assert.ok(problem.fix.length > 10, problem.code);
    const error = planProblemsError({ folder: '/tmp/x', problems: layout.problems });
    assert.ok(error instanceof UserError);
    assert.match(error.message, /4 problems/);
    assert.match(error.message, /- no pipeline config/);
    assert.match(error.message, /- no TFRecord files/);
  });

  it('names missing shards of records and of checkpoints', () => {
    const layout = layoutTrainingFolder([
      'pipeline.config',
      'label_map.pbtxt',
      'train.record-00000-of-00004',
      'train.record-00002-of-00004',
      'm/model.ckpt.index',
      'm/model.ckpt.data-00000-of-00002',
    ]);
    const messages = layout.problems.map((p) => `${p.code}: ${p.message}`);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(
      messages.join('\n'),
      /missing-shards: train.record-\?{5}-of-00004: 2 of 4 shards missing \(train.record-00001-of-00004, train.record-00003-of-00004\)/,
    );
    assert.match(
      messages.join('\n'),
      /incomplete-checkpoint: checkpoint m\/model.ckpt: data shards model.ckpt.data-00001-of-00002 are missing/,
    );
  });

  it('reports a checkpoint index without data (and not also "no checkpoint")', () => {
    const layout = layoutTrainingFolder([
      'pipeline.config',
      'label_map.pbtxt',
      'train.record',
      'm/model.ckpt.index',
    ]);
    assert.deepEqual(
      layout.problems.map((p) => p.code),
      ['incomplete-checkpoint'],
    );
    assert.match(layout.problems[0]?.message ?? '', /model.ckpt.index has no model.ckpt.data-\*/);
  });

  it('refuses two files that would land on one key', () => {
    const layout = layoutTrainingFolder([
      'pipeline.config',
      'label_map.pbtxt',
      'a/train.record',
      'b/train.record',
      ...TF1_MODEL,
    ]);
    assert.deepEqual(
      layout.problems.map((p) => p.code),
      ['key-collision'],
    );
    assert.match(layout.problems[0]?.message ?? '', /a\/train.record and b\/train.record/);
  });

  it('plans a folder on disk: absolute paths, sizes, keys under the prefix, channels', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tfod-plan-'));
    roots.push(root);
    const write = (path: string, bytes: number | string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), typeof bytes === 'string' ? bytes : Buffer.alloc(bytes, 7));
    };
    // Valid text: the plan checks the config and label map with the editor's validator.
    const config = 'model { ssd { num_classes: 2 } }\n'.padEnd(100, '#');
    const labels = "item { id: 1 name: 'cat' }\n".padEnd(30, '#');
    write('pipeline.config', config);
    write('label_map.pbtxt', labels);
    write('train.record', 4096);
    write('model/model.ckpt.index', 10);
    write('model/model.ckpt.data-00000-of-00001', 2000);
    const plan = await planUpload(root, 's3://tfod-bucket/runs/one');
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.destination, { bucket: 'tfod-bucket', key: 'runs/one/' });
    assert.equal(plan.totalBytes, 100 + 30 + 4096 + 10 + 2000);
    assert.deepEqual(
      plan.files.map((f) => [f.key, f.size, f.path === join(root, f.relative)]).sort(),
      [
        ['runs/one/label_map.pbtxt', 30, true],
        ['runs/one/model/model.ckpt.data-00000-of-00001', 2000, true],
        ['runs/one/model/model.ckpt.index', 10, true],
        ['runs/one/pipeline.config', 100, true],
        ['runs/one/train.record', 4096, true],
      ],
    );
    assert.deepEqual(plan.channels, {
      training: 's3://tfod-bucket/runs/one/',
      checkpoint: 's3://tfod-bucket/runs/one/model/',
    });
  });

  it('refuses a config and a label map the training job would fail on, with file, line and fix', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tfod-plan-'));
    roots.push(root);
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('pipeline.config', 'model {\n  ssd {\n    num_clases: 2\n  }\n}\n');
    write('label_map.pbtxt', "item { id: 1 name: 'cat' }\nitem { id: -3 name: 'dog' }\n");
    write('train.record', 'x');
    write('model/model.ckpt.index', 'x');
    write('model/model.ckpt.data-00000-of-00001', 'x');
    const plan = await planUpload(root, 's3://tfod-bucket/runs/two/');
    assert.deepEqual(
      plan.problems.map((p) => p.code),
      ['invalid-config', 'invalid-label-map'],
    );
    assert.match(
      plan.problems[0]?.message ?? '',
      /^pipeline\.config has 1 error the training job would fail on: pipeline\.config:3:5: unknown field `num_clases`.*did you mean `num_classes`\?/,
    );
    assert.match(plan.problems[0]?.fix ?? '', /tfod validate pipeline\.config/);
    assert.match(
      plan.problems[1]?.message ?? '',
      /^label_map\.pbtxt has 1 error .*label_map\.pbtxt:2:/,
    );
  });

  it('a folder that does not exist is a UserError; a bad destination too', async () => {
    await assert.rejects(planUpload('/nonexistent/tfod', 's3://tfod-bucket/x/'), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /cannot read the training folder \/nonexistent\/tfod \(ENOENT\)/);
      return true;
    });
    await assert.rejects(planUpload('/tmp', 'tfod-bucket/x/'), UserError);
  });
});

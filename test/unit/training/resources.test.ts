import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  describeTrainingFiles,
  findCheckpoints,
  groupTfRecords,
  isTfRecordName,
  listFiles,
  recordRole,
} from '../../../src/core/training/resources';

describe('training folder contents', () => {
  it("ranks the project's config before a model zoo folder's own pipeline.config", () => {
    const folder = describeTrainingFiles([
      'my.config',
      'ssd_mobilenet_v2/pipeline.config',
      'ssd_mobilenet_v2/checkpoint/ckpt-0.index',
      'ssd_mobilenet_v2/checkpoint/ckpt-0.data-00000-of-00001',
      'old/model.ckpt.index',
      'old/model.ckpt.data-00000-of-00001',
      'old/pipeline.config',
    ]);
    assert.deepEqual(folder.pipelineConfigs, [
      'my.config',
      'old/pipeline.config',
      'ssd_mobilenet_v2/pipeline.config',
    ]);
    // Alone, the zoo's config is still found.
    assert.deepEqual(
      describeTrainingFiles([
        'zoo/pipeline.config',
        'zoo/checkpoint/ckpt-0.index',
        'zoo/checkpoint/ckpt-0.data-00000-of-00001',
      ]).pipelineConfigs,
      ['zoo/pipeline.config'],
    );
  });

  it('recognises TFRecord names, single and sharded', () => {
    for (const name of [
      'train.record',
      'data/val.tfrecord',
      'train.record-00000-of-00010',
      'x.tfrecords',
      'pets.tfrecord-00001-of-00002',
    ]) {
      assert.ok(isTfRecordName(name), name);
    }
    for (const name of ['train.py', 'record.txt', 'label_map.pbtxt', 'train.record.bak']) {
      assert.ok(!isTfRecordName(name), name);
    }
  });

  it('tells training from evaluation records by name', () => {
    assert.equal(recordRole('train.record'), 'train');
    assert.equal(recordRole('pet_faces_train.record-00000-of-00010'), 'train');
    assert.equal(recordRole('validation.record'), 'eval');
    assert.equal(recordRole('mscoco_val.record-00000-of-00010'), 'eval');
    assert.equal(recordRole('eval.tfrecord'), 'eval');
    assert.equal(recordRole('test.record'), 'eval');
    assert.equal(recordRole('data.record'), 'unknown');
    assert.equal(recordRole('pascal_trainval.record'), 'train', 'VOC trains on trainval');
  });

  it('groups shards into a glob and reports missing shards', () => {
    const sets = groupTfRecords([
      'train.record-00000-of-00003',
      'train.record-00002-of-00003',
      'validation.record',
      'notes.txt',
    ]);
    assert.deepEqual(sets, [
      {
        role: 'train',
        pattern: 'train.record-?????-of-00003',
        files: ['train.record-00000-of-00003', 'train.record-00002-of-00003'],
        expectedShards: 3,
        missingShards: [1],
      },
      { role: 'eval', pattern: 'validation.record', files: ['validation.record'] },
    ]);
  });

  it('finds TF1 and TF2 checkpoints, complete ones only, model-zoo prefixes first', () => {
    const checkpoints = findCheckpoints([
      'ssd/model.ckpt.index',
      'ssd/model.ckpt.data-00000-of-00001',
      'ssd/model.ckpt.meta',
      'tf2/checkpoint/ckpt-0.index',
      'tf2/checkpoint/ckpt-0.data-00000-of-00001',
      'broken/model.ckpt.index',
    ]);
    assert.deepEqual(
      checkpoints.map((c) => [c.prefix, c.format]),
      [
        ['ssd/model.ckpt', 'tf1'],
        ['tf2/checkpoint/ckpt-0', 'tf2'],
      ],
    );
  });

  it('describes a real folder in the seed layout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tfod-folder-'));
    try {
      for (const file of [
        'pipeline.config',
        'label_map.pbtxt',
        'train.record-00000-of-00002',
        'train.record-00001-of-00002',
        'validation.record',
        'checkpoint/model.ckpt.index',
        'checkpoint/model.ckpt.data-00000-of-00001',
        '.git/config',
      ]) {
        mkdirSync(join(root, file, '..'), { recursive: true });
        writeFileSync(join(root, file), '');
      }
      const folder = describeTrainingFiles(await listFiles(root));
      assert.deepEqual(
        folder.pipelineConfigs,
        ['pipeline.config'],
        'hidden folders are not listed',
      );
      assert.deepEqual(folder.labelMaps, ['label_map.pbtxt']);
      assert.deepEqual(
        folder.records.map((r) => [r.role, r.pattern]),
        [
          ['train', 'train.record-?????-of-00002'],
          ['eval', 'validation.record'],
        ],
      );
      assert.equal(folder.checkpoints[0]?.prefix, 'checkpoint/model.ckpt');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

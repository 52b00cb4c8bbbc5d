import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  batchSizeOf,
  fineTuneCheckpointOf,
  hasQuantizationAwareTraining,
  quoteTextFormat,
  rewritePipelineConfig,
} from '../../../src/core/training/pipelineRewrite';

const sample = readFileSync(
  join(__dirname, '..', '..', 'fixtures', 'sample-project', 'pipeline.config'),
  'utf8',
);

/** Lines that differ between two texts of the same line count, as [before, after]. */
function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(a.length, b.length, 'same number of lines');
  return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i] ?? '']]));
}

describe('pipeline.config rewrite for the container', () => {
  it('points every path at the channels and sets num_steps, leaving the rest byte-identical', () => {
    const result = rewritePipelineConfig(sample, {
      fineTuneCheckpoint: '/opt/ml/input/data/checkpoint/model.ckpt',
      labelMapPath: '/opt/ml/input/data/training/label_map.pbtxt',
      trainInputPaths: ['/opt/ml/input/data/training/train.record-?????-of-00002'],
      evalInputPaths: ['/opt/ml/input/data/training/validation.record'],
      numSteps: 2000,
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(changedLines(sample, result.text), [
      [
        '  fine_tune_checkpoint: "checkpoint/model.ckpt"',
        '  fine_tune_checkpoint: "/opt/ml/input/data/checkpoint/model.ckpt"',
      ],
      ['  num_steps: 100', '  num_steps: 2000'],
      [
        '    input_path: "train.record-?????-of-00002"',
        '    input_path: "/opt/ml/input/data/training/train.record-?????-of-00002"',
      ],
      [
        '  label_map_path: "label_map.pbtxt"',
        '  label_map_path: "/opt/ml/input/data/training/label_map.pbtxt"',
      ],
      [
        '    input_path: "validation.record"',
        '    input_path: "/opt/ml/input/data/training/validation.record"',
      ],
      [
        '  label_map_path: "label_map.pbtxt"',
        '  label_map_path: "/opt/ml/input/data/training/label_map.pbtxt"',
      ],
    ]);
    assert.deepEqual(
      result.changes.map((c) => c.field),
      [
        'train_config.fine_tune_checkpoint',
        'train_config.num_steps',
        'train_input_reader.label_map_path',
        'train_input_reader.tf_record_input_reader.input_path',
        'eval_input_reader.label_map_path',
        'eval_input_reader.tf_record_input_reader.input_path',
      ],
    );
  });

  it('adds fields a model-zoo config leaves out, and replaces every old input_path', () => {
    const text = [
      '# zoo config',
      'train_config {',
      '  batch_size: 4  # small GPU',
      '}',
      'train_input_reader {',
      '  tf_record_input_reader {',
      '    input_path: "PATH_TO_BE_CONFIGURED/a.record"',
      '    input_path: "PATH_TO_BE_CONFIGURED/b.record"',
      '  }',
      '  label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt"',
      '}',
      '',
    ].join('\n');
    const result = rewritePipelineConfig(text, {
      fineTuneCheckpoint: '/ckpt/checkpoint/ckpt-0',
      trainInputPaths: ['/data/train.record-?????-of-00004', '/data/extra.record'],
      numSteps: 10,
    });
    assert.equal(
      result.text,
      [
        '# zoo config',
        'train_config {',
        '  batch_size: 4  # small GPU',
        '  fine_tune_checkpoint: "/ckpt/checkpoint/ckpt-0"',
        '  num_steps: 10',
        '}',
        'train_input_reader {',
        '  tf_record_input_reader {',
        '    input_path: "/data/train.record-?????-of-00004"',
        '    input_path: "/data/extra.record"',
        '  }',
        '  label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt"',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(
      result.changes.find((c) => c.field === 'train_config.num_steps')?.from,
      undefined,
      'added, not replaced',
    );
  });

  it('removes fine_tune_checkpoint (training from scratch) and says so, leaving the rest', () => {
    const text = [
      'train_config {',
      '  batch_size: 4',
      '  fine_tune_checkpoint: "zoo/checkpoint/ckpt-0"  # from the zoo',
      '  fine_tune_checkpoint_type: "detection"',
      '}',
      '',
    ].join('\n');
    const result = rewritePipelineConfig(text, { fineTuneCheckpoint: null });
    assert.deepEqual(result.errors, []);
    assert.equal(
      result.text,
      [
        'train_config {',
        '  batch_size: 4',
        '  fine_tune_checkpoint_type: "detection"',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.changes, [
      {
        field: 'train_config.fine_tune_checkpoint',
        from: '"zoo/checkpoint/ckpt-0"',
        to: '(removed)',
      },
    ]);
    assert.deepEqual(
      rewritePipelineConfig('train_config { batch_size: 1 }', { fineTuneCheckpoint: null }).changes,
      [],
    );
  });

  it('tells quantization-aware training configs apart', () => {
    assert.equal(
      hasQuantizationAwareTraining('graph_rewriter { quantization { delay: 10 } }'),
      true,
    );
    assert.equal(hasQuantizationAwareTraining('graph_rewriter {}\ntrain_config {}'), false);
    assert.equal(hasQuantizationAwareTraining('train_config { num_steps: 5 }'), false);
  });

  it("reads train_config's batch_size and fine_tune_checkpoint, and nothing from elsewhere", () => {
    const text =
      'eval_config { batch_size: 3 }\ntrain_config {\n  batch_size: 24\n  fine_tune_checkpoint: "zoo/ckpt-0"\n}\n';
    assert.equal(batchSizeOf(text), 24);
    assert.equal(fineTuneCheckpointOf(text), 'zoo/ckpt-0');
    assert.equal(batchSizeOf('eval_config { batch_size: 3 }'), undefined);
    assert.equal(batchSizeOf('train_config { batch_size: 2.5 }'), undefined);
    assert.equal(fineTuneCheckpointOf('train_config { batch_size: 2 }'), undefined);
    assert.equal(batchSizeOf(sample), 8);
  });

  it('handles the list form of input_path and an empty train_config', () => {
    const text =
      'train_config {}\ntrain_input_reader { tf_record_input_reader { input_path: ["a", "b"] } }\n';
    const result = rewritePipelineConfig(text, { trainInputPaths: ['/d/t.record'], numSteps: 5 });
    assert.deepEqual(result.errors, []);
    assert.match(result.text, /train_config \{\n {2}num_steps: 5\}/);
    assert.match(result.text, /tf_record_input_reader \{ input_path: "\/d\/t.record" \}/);
  });

  it('says what it could not set instead of failing', () => {
    const result = rewritePipelineConfig('model { ssd { num_classes: 2 } }\n', {
      numSteps: 5,
      trainInputPaths: ['/x.record'],
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      'the config has no train_config block; fine_tune_checkpoint and num_steps were not set',
      'the config has no train_input_reader block',
    ]);
    const noEval = rewritePipelineConfig(sample, { evalInputPaths: [] });
    assert.deepEqual(noEval.warnings, [
      'no evaluation TFRecords were found, so eval_input_reader keeps its input_path as written',
    ]);
  });

  it('refuses a file with syntax errors, with the line, and leaves it unchanged', () => {
    const broken = 'train_config {\n  num_steps: 5\n\ntrain_input_reader {\n';
    const result = rewritePipelineConfig(broken, { numSteps: 7 });
    assert.ok(result.errors.length > 0);
    assert.match(result.errors[0] ?? '', /^line \d+: /);
    assert.equal(result.text, broken);
  });

  it('quotes Windows paths and quotes safely', () => {
    assert.equal(quoteTextFormat('C:\\data\\train.record'), '"C:\\\\data\\\\train.record"');
    assert.equal(quoteTextFormat('a"b'), '"a\\"b"');
  });
});

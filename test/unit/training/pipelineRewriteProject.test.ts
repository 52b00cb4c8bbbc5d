// The rewrite's fields for a new project (tfod init): num_classes in every architecture, batch size,
// checkpoint type and version, use_bfloat16 off only where set, use_moving_average in every
// optimizer, fields removed with their lines; everything else byte-identical.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewritePipelineConfig } from '../../../src/core/training/pipelineRewrite';

const CONFIG = `model {
  faster_rcnn {
    num_classes: 90 # COCO
    feature_extractor { type: "faster_rcnn_resnet50_keras" }
  }
}
train_config: {
  batch_size: 64
  optimizer {
    momentum_optimizer: { learning_rate: { constant_learning_rate { learning_rate: 0.01 } } }
  }
  from_detection_checkpoint: true
  load_all_detection_checkpoint_vars: true # TF1
  fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED/resnet50.ckpt-1"
}
`;

describe('pipeline.config rewrite for a new project', () => {
  it('sets, adds and removes with minimal edits', () => {
    const result = rewritePipelineConfig(CONFIG, {
      numClasses: 3,
      batchSize: 8,
      fineTuneCheckpoint: 'checkpoint/ckpt-0',
      fineTuneCheckpointType: 'detection',
      fineTuneCheckpointVersion: 'V2',
      useBfloat16: false,
      useMovingAverage: false,
      removeTrainFields: ['from_detection_checkpoint', 'load_all_detection_checkpoint_vars'],
    });
    assert.deepEqual(result.errors, []);
    assert.equal(
      result.text,
      `model {
  faster_rcnn {
    num_classes: 3 # COCO
    feature_extractor { type: "faster_rcnn_resnet50_keras" }
  }
}
train_config: {
  batch_size: 8
  optimizer {
    momentum_optimizer: { learning_rate: { constant_learning_rate { learning_rate: 0.01 } } }
    use_moving_average: false
  }
  fine_tune_checkpoint: "checkpoint/ckpt-0"
  fine_tune_checkpoint_type: "detection"
  fine_tune_checkpoint_version: V2
}
`,
    );
    assert.deepEqual(
      result.changes.map((c) => `${c.field}: ${c.from ?? '(added)'} -> ${c.to}`),
      [
        'train_config.fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED/resnet50.ckpt-1" -> "checkpoint/ckpt-0"',
        'train_config.batch_size: 64 -> 8',
        'train_config.fine_tune_checkpoint_type: (added) -> "detection"',
        'train_config.fine_tune_checkpoint_version: (added) -> V2',
        'train_config.optimizer.use_moving_average: (added) -> false',
        'train_config.from_detection_checkpoint: true -> (removed)',
        'train_config.load_all_detection_checkpoint_vars: true -> (removed)',
        'model.faster_rcnn.num_classes: 90 -> 3',
      ],
    );
    // use_bfloat16 is turned off where set, never added.
    assert.doesNotMatch(result.text, /use_bfloat16/);
    const tpu = rewritePipelineConfig('train_config {\n  use_bfloat16: true\n}\n', {
      useBfloat16: false,
    });
    assert.equal(tpu.text, 'train_config {\n  use_bfloat16: false\n}\n');
  });

  it('warns when the config has no model block for num_classes', () => {
    const result = rewritePipelineConfig('train_config { batch_size: 1 }\n', { numClasses: 2 });
    assert.ok(result.warnings.some((w) => /no model block; num_classes was not set/.test(w)));
  });
});

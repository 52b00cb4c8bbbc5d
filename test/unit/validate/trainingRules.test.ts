// The mistakes of ../shared/corpus/COMMON-MISTAKES.md that no parser objects to: each is reported
// on its own line with the fix in the message, its quick fix (where mechanical) removes it, and no
// config of the corpus that the API's parser accepts gets a false alarm.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PIPELINE_CONFIG } from '../../../src/schema';
import {
  NodeProjectHost,
  validateBytes,
  validateText,
  type TrainingTarget,
  type ValidationDiagnostic,
} from '../../../src/schema/validate';
import { applyEdits, LineIndex } from '../../../src/textproto';
import { corpusDir, mutants, realFiles } from '../textproto/corpus';

const TRAINING_CODES = new Set([
  'lr-schedule-step-zero',
  'lr-schedule-not-increasing',
  'resizer-needs-padding',
  'second-stage-batch-above-proposals',
  'placeholder-before-training',
  'template-placeholder',
  'tpu-only-option',
  'feature-extractor-tf1',
  'feature-extractor-tf2',
  'tf1-field-under-tf2',
  'tf1-checkpoint-under-tf2',
  'tf2-checkpoint-under-tf1',
  'checkpoint-version-not-v2',
  'checkpoint-type-disagrees',
  'tf2-moving-average',
]);

/**
 * Validates `text`, finds the one diagnostic of `code`, checks its severity, its 1-based line (the
 * line that holds `snippet`) and its message; applies its quick fix when it has one and checks the
 * fixed text no longer has the problem. Returns the diagnostic.
 */
function expectOne(
  text: string,
  code: string,
  severity: ValidationDiagnostic['severity'],
  snippet: string,
  message: RegExp,
  target: TrainingTarget = {},
  fixed = true,
): ValidationDiagnostic {
  const result = validateText(text, { root: PIPELINE_CONFIG, target });
  const found = result.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, JSON.stringify(result.diagnostics.map((d) => [d.code, d.message])));
  const d = found[0] as ValidationDiagnostic;
  const lines = new LineIndex(text);
  const wantLine = lines.positionAt(text.indexOf(snippet)).line;
  assert.ok(text.includes(snippet), snippet);
  assert.equal(lines.positionAt(d.offset).line, wantLine, `${code} on the line of ${snippet}`);
  assert.equal(d.severity, severity);
  assert.match(d.message, message);
  if (fixed) {
    assert.ok(d.fix, `${code} has a quick fix`);
    const after = applyEdits(text, d.fix.edits);
    const again = validateText(after, { root: PIPELINE_CONFIG, target });
    assert.deepEqual(
      again.diagnostics.filter((x) => x.code === code || x.severity === 'error'),
      [],
      after,
    );
  } else assert.equal(d.fix, undefined);
  return d;
}

const TF2 = { architecture: '2.9.1-gpu' };
const TF1 = { architecture: '1.15.0' };

/** A small TF2 SSD config with `train` as the train_config body. */
function ssd(train: string, extractor = 'ssd_mobilenet_v2_keras', resizer = ''): string {
  return `model {
  ssd {
    num_classes: 2
    image_resizer {
      ${resizer || 'fixed_shape_resizer { height: 320 width: 320 }'}
    }
    feature_extractor {
      type: "${extractor}"
    }
  }
}
train_config {
${train}
}
`;
}

const OPTIMIZER_OFF = `  optimizer {
    momentum_optimizer { learning_rate { constant_learning_rate { learning_rate: 0.01 } } }
    use_moving_average: false
  }`;

describe('training rules: learning rate schedules', () => {
  const manual = (schedules: string) => `train_config {
  batch_size: 1
  optimizer {
    momentum_optimizer {
      learning_rate {
        manual_step_learning_rate {
          initial_learning_rate: 0.0003
${schedules}
        }
      }
    }
    use_moving_average: false
  }
}
`;

  it('a first schedule at step 0: error on its step, fixed by moving its rate to initial_learning_rate', () => {
    const text = manual(`          schedule {
            step: 0
            learning_rate: 0.001
          }
          schedule {
            step: 9000
            learning_rate: 0.0001
          }`);
    const d = expectOne(
      text,
      'lr-schedule-step-zero',
      'error',
      'step: 0',
      /"First step cannot be zero\." Put its rate in `initial_learning_rate`/,
    );
    const after = applyEdits(text, d.fix?.edits ?? []);
    assert.match(after, /initial_learning_rate: 0\.001\n/);
    assert.doesNotMatch(after, /step: 0/);
    assert.match(after, /step: 9000/);
  });

  it('steps that do not increase: error on the step that goes back, no mechanical fix', () => {
    expectOne(
      manual(`          schedule { step: 5000 learning_rate: 0.001 }
          schedule { step: 3000 learning_rate: 0.0001 }`),
      'lr-schedule-not-increasing',
      'error',
      'step: 3000',
      /step 3000 comes after step 5000.*strictly increasing.*Order the schedules by step/,
      {},
      false,
    );
  });
});

describe('training rules: shapes and sizes', () => {
  it('keep_aspect_ratio_resizer without padding and batch_size > 1: warning, fixed by padding', () => {
    const text = ssd(
      `  batch_size: 8\n${OPTIMIZER_OFF}`,
      'ssd_mobilenet_v2_keras',
      'keep_aspect_ratio_resizer {\n        min_dimension: 320\n        max_dimension: 640\n      }',
    );
    const d = expectOne(
      text,
      'resizer-needs-padding',
      'warning',
      'keep_aspect_ratio_resizer',
      /batch_size 8.*Add `pad_to_max_dimension: true`, or train with batch_size 1/,
    );
    assert.match(
      applyEdits(text, d.fix?.edits ?? []),
      /max_dimension: 640\n {8}pad_to_max_dimension: true\n/,
    );
    // batch_size 1 is fine.
    const one = validateText(text.replace('batch_size: 8', 'batch_size: 1'), {
      root: PIPELINE_CONFIG,
    });
    assert.ok(!one.diagnostics.some((x) => x.code === 'resizer-needs-padding'));
  });

  it('second_stage_batch_size above first_stage_max_proposals, with the default 64 counted', () => {
    const frcnn = (extra: string) => `model {
  faster_rcnn {
    num_classes: 3
    image_resizer { fixed_shape_resizer { height: 600 width: 600 } }
    feature_extractor { type: "faster_rcnn_resnet50_keras" }
${extra}
  }
}
`;
    expectOne(
      frcnn('    first_stage_max_proposals: 100\n    second_stage_batch_size: 128'),
      'second-stage-batch-above-proposals',
      'error',
      'second_stage_batch_size: 128',
      /128, above first_stage_max_proposals 100.*Set `second_stage_batch_size: 100`/,
    );
    const d = expectOne(
      frcnn('    first_stage_max_proposals: 32'),
      'second-stage-batch-above-proposals',
      'error',
      'first_stage_max_proposals: 32',
      /second_stage_batch_size \(default 64\) is 64, above first_stage_max_proposals 32/,
    );
    assert.match(
      applyEdits(frcnn('    first_stage_max_proposals: 32'), d.fix?.edits ?? []),
      /first_stage_max_proposals: 32\n {4}second_stage_batch_size: 32\n/,
    );
  });
});

describe('training rules: placeholders and devices', () => {
  const text = ssd(
    `  batch_size: 2
  fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED/checkpoint/ckpt-0"
  fine_tune_checkpoint_type: "detection"
  fine_tune_checkpoint_version: V2
${OPTIMIZER_OFF}`,
  ).replace(
    /$/,
    'train_input_reader {\n  label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt"\n  tf_record_input_reader { input_path: "/data/train.record" }\n}\n',
  );

  it('information while editing', () => {
    const result = validateText(text, { root: PIPELINE_CONFIG, target: TF2 });
    const info = result.diagnostics.filter((d) => d.code === 'template-placeholder');
    assert.equal(info.length, 2);
    assert.ok(info.every((d) => d.severity === 'information'));
    assert.ok(!result.diagnostics.some((d) => d.severity === 'error'));
  });

  it('an error when about to be trained or uploaded, except where the container fills it in', () => {
    expectOne(
      text,
      'placeholder-before-training',
      'error',
      'label_map_path',
      /`label_map_path` is still the template's placeholder "PATH_TO_BE_CONFIGURED\/label_map\.pbtxt": the training job would fail on it/,
      { ...TF2, purpose: 'train', filledByContainer: ['fine_tune_checkpoint'] },
      false,
    );
    const both = validateText(text, {
      root: PIPELINE_CONFIG,
      target: { ...TF2, purpose: 'train' },
    });
    assert.equal(
      both.diagnostics.filter((d) => d.code === 'placeholder-before-training').length,
      2,
    );
  });

  it('use_bfloat16 (TPU only) on a CPU or GPU image: warning, fixed by turning it off', () => {
    const bf16 = ssd(`  batch_size: 2\n  use_bfloat16: true\n${OPTIMIZER_OFF}`);
    expectOne(
      bf16,
      'tpu-only-option',
      'warning',
      'use_bfloat16',
      /ARCHITECTURE 2\.9\.1-gpu trains on GPU.*Set `use_bfloat16: false`/,
      TF2,
    );
    // With no image known, still said, as information.
    const unknown = validateText(bf16, { root: PIPELINE_CONFIG });
    assert.equal(
      unknown.diagnostics.find((d) => d.code === 'tpu-only-option')?.severity,
      'information',
    );
  });
});

describe('training rules: TF1 and TF2', () => {
  it('a slim feature extractor under the TF2 image: error naming the image, fixed to the Keras one', () => {
    expectOne(
      ssd(`  batch_size: 2\n${OPTIMIZER_OFF}`, 'ssd_mobilenet_v2'),
      'feature-extractor-tf1',
      'error',
      'type: "ssd_mobilenet_v2"',
      /TF1 \(slim\) feature extractor.*TF2, from the image's ARCHITECTURE 2\.9\.1-gpu.*Use `ssd_mobilenet_v2_keras`/,
      TF2,
    );
  });

  it('a Keras feature extractor under the TF1 image: error, fixed to the slim one', () => {
    expectOne(
      ssd('  batch_size: 2'),
      'feature-extractor-tf2',
      'error',
      'type: "ssd_mobilenet_v2_keras"',
      /TF2 \(Keras\) feature extractor.*TF1, from the image's ARCHITECTURE 1\.15\.0.*Use `ssd_mobilenet_v2`/,
      TF1,
    );
  });

  it('TF1-only fields under TF2: load_all_detection_checkpoint_vars (error), from_detection_checkpoint (warning)', () => {
    const base = `  batch_size: 2
  fine_tune_checkpoint: "zoo/checkpoint/ckpt-0"
  fine_tune_checkpoint_version: V2
${OPTIMIZER_OFF}`;
    const d = expectOne(
      ssd(
        `${base}\n  fine_tune_checkpoint_type: "detection"\n  load_all_detection_checkpoint_vars: true`,
      ),
      'tf1-field-under-tf2',
      'error',
      'load_all_detection_checkpoint_vars',
      /TF1 field.*TF2, from the image's ARCHITECTURE 2\.9\.1-gpu.*"load_all_detection_checkpoint_vars unsupported in TF2"\. Remove it/,
      TF2,
    );
    assert.equal(d.origin, 'api');
    const text = ssd(`${base}\n  from_detection_checkpoint: true`);
    const w = expectOne(
      text,
      'tf1-field-under-tf2',
      'warning',
      'from_detection_checkpoint',
      /write `fine_tune_checkpoint_type: "detection"` instead/,
      TF2,
    );
    assert.match(
      applyEdits(text, w.fix?.edits ?? []),
      /\n {2}fine_tune_checkpoint_type: "detection"\n/,
    );
  });

  it('inferred from the config when no image is known, and said so; then a warning', () => {
    expectOne(
      ssd(
        `  batch_size: 2\n  fine_tune_checkpoint_type: "detection"\n  load_all_detection_checkpoint_vars: true\n${OPTIMIZER_OFF}`,
      ),
      'tf1-field-under-tf2',
      'warning',
      'load_all_detection_checkpoint_vars',
      /TF2, from the config \(its Keras feature extractor `ssd_mobilenet_v2_keras`\)/,
    );
  });

  it('a TF1 model.ckpt for TF2, and a TF2 ckpt-N for TF1', () => {
    expectOne(
      ssd(
        `  batch_size: 2\n  fine_tune_checkpoint: "pretrained/model.ckpt"\n  fine_tune_checkpoint_type: "detection"\n  fine_tune_checkpoint_version: V2\n${OPTIMIZER_OFF}`,
      ),
      'tf1-checkpoint-under-tf2',
      'error',
      'model.ckpt',
      /`model\.ckpt` is a TF1 \(name-based\) checkpoint.*TF2 zoo archive/,
      TF2,
      false,
    );
    expectOne(
      ssd(
        `  batch_size: 2\n  fine_tune_checkpoint: "pretrained/checkpoint/ckpt-0"\n  fine_tune_checkpoint_type: "detection"`,
        'ssd_mobilenet_v2',
      ),
      'tf2-checkpoint-under-tf1',
      'error',
      'ckpt-0',
      /`ckpt-0` is a TF2 \(object-based\) checkpoint.*TF1, from the image's ARCHITECTURE 1\.15\.0/,
      TF1,
      false,
    );
  });

  it('TF2 without fine_tune_checkpoint_version: V2 (defaults to V1): fixed by adding it', () => {
    const text = ssd(
      `  batch_size: 2\n  fine_tune_checkpoint: "zoo/checkpoint/ckpt-0"\n  fine_tune_checkpoint_type: "detection"\n${OPTIMIZER_OFF}`,
    );
    const d = expectOne(
      text,
      'checkpoint-version-not-v2',
      'error',
      'fine_tune_checkpoint:',
      /"Checkpoint version should be V2"\. Add `fine_tune_checkpoint_version: V2`/,
      TF2,
    );
    assert.match(
      applyEdits(text, d.fix?.edits ?? []),
      /use_moving_average: false\n {2}\}\n {2}fine_tune_checkpoint_version: V2\n\}/,
    );
  });

  it('fine_tune_checkpoint_type "classification" with a detection checkpoint from a zoo archive', () => {
    expectOne(
      ssd(
        `  batch_size: 2\n  fine_tune_checkpoint: "zoo/ssd_mobilenet_v2_320x320_coco17_tpu-8/checkpoint/ckpt-0"\n  fine_tune_checkpoint_type: "classification"\n  fine_tune_checkpoint_version: V2\n${OPTIMIZER_OFF}`,
      ),
      'checkpoint-type-disagrees',
      'warning',
      'fine_tune_checkpoint_type',
      /detection checkpoint.*"classification".*Use "detection"/,
      TF2,
    );
  });

  it('TF2 with use_moving_average left on (a known export problem): warning, fixed to false', () => {
    const text = ssd(`  batch_size: 2
  optimizer {
    momentum_optimizer { learning_rate { constant_learning_rate { learning_rate: 0.01 } } }
  }`);
    const d = expectOne(
      text,
      'tf2-moving-average',
      'warning',
      'optimizer {',
      /on by default.*TF2, from the image's ARCHITECTURE 2\.9\.1-gpu.*Set `use_moving_average: false`/,
      TF2,
    );
    assert.match(applyEdits(text, d.fix?.edits ?? []), /\} \} \}\n {4}use_moving_average: false\n/);
    // Nothing of the kind under TF1.
    const tf1 = validateText(text, { root: PIPELINE_CONFIG, target: TF1 });
    assert.ok(!tf1.diagnostics.some((x) => x.code === 'tf2-moving-average'));
  });
});

describe('training rules: no false alarm on the corpus', () => {
  const dir = corpusDir();
  const host = new NodeProjectHost([dir]);
  /** True findings on upstream's own samples (see corpus.test.ts for why each is true). */
  const TRUE_FINDINGS = [
    'tf1/ssd_mobilenet_v2_fullyconv_coco.config resizer-needs-padding',
    'tf1/ssd_mobilenet_v2_pets_keras.config checkpoint-version-not-v2',
    'tf1/ssd_mobilenet_v2_pets_keras.config tf1-field-under-tf2',
    'tf1/ssd_mobilenet_v2_pets_keras.config tf1-field-under-tf2',
  ];

  it('real configs: only the known true findings, as warnings', () => {
    const found: string[] = [];
    for (const file of realFiles().filter((f) => f.name.endsWith('.config'))) {
      const result = validateText(file.text, { path: join(dir, file.name), host });
      for (const d of result.diagnostics)
        if (TRAINING_CODES.has(d.code) && d.severity !== 'information') {
          assert.equal(d.severity, 'warning', `${file.name} ${d.code}`);
          found.push(`${file.name} ${d.code}`);
        }
    }
    assert.deepEqual(found.sort(), TRUE_FINDINGS);
  });

  it('configs the API’s parser accepts (real and mutants, per verdicts.tsv): nothing beyond those findings', () => {
    const rows = readFileSync(join(dir, 'mutants', 'verdicts.tsv'), 'utf8')
      .trim()
      .split('\n');
    const baseOf = new Map(rows.slice(1).map((row) => [row.split('\t')[0], row.split('\t')[2]]));
    const accepted = mutants().filter((m) => m.pyValid && m.file.endsWith('.config'));
    assert.ok(accepted.length >= 100, `only ${accepted.length} accepted config mutants`);
    const extra: string[] = [];
    for (const m of accepted) {
      const result = validateBytes(m.bytes, { root: PIPELINE_CONFIG });
      for (const d of result.diagnostics)
        if (TRAINING_CODES.has(d.code) && d.severity !== 'information') {
          const base = baseOf.get(m.id) ?? '';
          if (!TRUE_FINDINGS.includes(`${base} ${d.code}`))
            extra.push(`${m.id} ${m.kind} ${d.code}`);
        }
    }
    assert.deepEqual(extra, []);
  });

  it('with the image that matches each config (TF1 for slim extractors), no error', () => {
    for (const file of realFiles().filter((f) => f.name.endsWith('.config'))) {
      if (file.name.endsWith('_keras.config')) continue;
      const result = validateText(file.text, {
        path: join(dir, file.name),
        host,
        target: { architecture: '1.15.0-gpu' },
      });
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [],
        file.name,
      );
    }
  });
});

describe('training rules: tfod validate --architecture, --for-training', () => {
  it('checks against the image named, and makes placeholders errors before training', async () => {
    const { runCli } = await import('../../../src/cli/program');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tfod-rules-'));
    try {
      const file = join(dir, 'pipeline.config');
      writeFileSync(
        file,
        ssd(
          `  batch_size: 2\n  fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED/ckpt-0"\n  fine_tune_checkpoint_type: "detection"\n  fine_tune_checkpoint_version: V2\n${OPTIMIZER_OFF}`,
          'ssd_mobilenet_v2',
        ),
      );
      const run = async (...argv: string[]) => {
        let stdout = '';
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: () => {} });
        return { code, stdout };
      };
      // No image: TF1 from the slim extractor, nothing wrong.
      assert.equal((await run('validate', file)).code, 0);
      const tf2 = await run('validate', '--architecture', '2.9.1-gpu', file);
      assert.equal(tf2.code, 1);
      assert.match(
        tf2.stdout,
        /pipeline\.config:8:\d+: error: `ssd_mobilenet_v2` is a TF1 \(slim\)/,
      );
      const training = await run('validate', '--for-training', file);
      assert.equal(training.code, 1);
      assert.match(
        training.stdout,
        /pipeline\.config:14:\d+: error: `fine_tune_checkpoint` is still the template's placeholder/,
      );
      let stderr = '';
      const bad = await runCli(['validate', '--architecture', 'latest', file], {
        stdout: () => {},
        stderr: (t) => (stderr += t),
      });
      assert.equal(bad, 1);
      assert.match(stderr, /--architecture latest names no TensorFlow version/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatMetricLine,
  METRIC_DEFINITIONS,
  ObjectDetectionLogReader,
  parseMetricLine,
} from '../../../src/core/training/metrics';

function firstCapture(name: string, line: string): number | undefined {
  const definition = METRIC_DEFINITIONS.find((d) => d.Name === name);
  assert.ok(definition, `no metric definition ${name}`);
  const match = new RegExp(definition.Regex).exec(line);
  return match ? Number(match[1]) : undefined;
}

describe('training metric lines', () => {
  it('formats and parses a stable line', () => {
    const line = formatMetricLine({
      step: 300,
      values: { total_loss: 0.8125, learning_rate: 0.004 },
    });
    assert.equal(line, '#metric step=300 total_loss=0.8125 learning_rate=0.004');
    assert.deepEqual(parseMetricLine(`[stdout] ${line}`), {
      step: 300,
      values: { total_loss: 0.8125, learning_rate: 0.004 },
    });
    assert.equal(parseMetricLine('loss went down'), undefined);
  });

  it('SageMaker MetricDefinitions regexes read the lines, each its own metric', () => {
    const line = formatMetricLine({
      step: 1200,
      values: {
        total_loss: 1.5e-3,
        classification_loss: 0.25,
        'eval_mAP@.50IOU': 0.61,
        eval_mAP: 0.42,
      },
    });
    assert.equal(firstCapture('total_loss', line), 0.0015);
    assert.equal(firstCapture('classification_loss', line), 0.25);
    assert.equal(firstCapture('eval_mAP', line), 0.42);
    assert.equal(firstCapture('eval_mAP@.50IOU', line), 0.61);
    assert.equal(firstCapture('learning_rate', line), undefined);
    assert.ok(METRIC_DEFINITIONS.length <= 40, 'SageMaker allows at most 40 metric definitions');
    for (const d of METRIC_DEFINITIONS)
      assert.ok(d.Regex.length <= 500, `${d.Name} regex within SageMaker's 500 chars`);
  });

  it('reads TF1 estimator loss lines and eval summaries', () => {
    const reader = new ObjectDetectionLogReader();
    assert.deepEqual(reader.read('INFO:tensorflow:loss = 2.4135, step = 1100 (12.302 sec)'), {
      step: 1100,
      values: { total_loss: 2.4135 },
    });
    const evaluation = reader.read(
      'INFO:tensorflow:Saving dict for global step 1200: DetectionBoxes_Precision/mAP = 0.3012, DetectionBoxes_Precision/mAP@.50IOU = 0.55, Loss/total_loss = 1.9, global_step = 1200',
    );
    assert.deepEqual(evaluation, {
      step: 1200,
      values: { eval_mAP: 0.3012, 'eval_mAP@.50IOU': 0.55, total_loss: 1.9 },
    });
  });

  it("reads TF2's step line and its multi-line loss dictionary", () => {
    const reader = new ObjectDetectionLogReader();
    const lines = [
      'I1124 10:00:00.000000 140 model_lib_v2.py:705] Step 200 per-step time 0.447s',
      "I1124 10:00:00.000000 140 model_lib_v2.py:708] {'Loss/classification_loss': 0.51246,",
      " 'Loss/localization_loss': 0.3245,",
      " 'Loss/total_loss': 0.9895,",
      " 'learning_rate': 0.0319994}",
    ];
    const samples = lines.map((line) => reader.read(line)).filter(Boolean);
    assert.deepEqual(samples, [
      {
        step: 200,
        values: {
          classification_loss: 0.51246,
          localization_loss: 0.3245,
          total_loss: 0.9895,
          learning_rate: 0.0319994,
        },
      },
    ]);
  });

  it("reads each line once although the API logs it twice (TensorFlow's and absl's handler)", () => {
    // As model_main_tf2.py and od_api_tf2.py print with --alsologtostderr (seen in a real run).
    const reader = new ObjectDetectionLogReader();
    const lines = [
      'INFO:tensorflow:Step 25 per-step time 2.412s',
      'I1204 15:07:46.637280 1405 model_lib_v2.py:705] Step 25 per-step time 2.412s',
      "INFO:tensorflow:{'Loss/classification_loss': 4.22822,",
      " 'Loss/total_loss': 5.542184}",
      "I1204 15:07:46.638000 1405 model_lib_v2.py:708] {'Loss/classification_loss': 4.22822,",
      " 'Loss/total_loss': 5.542184}",
      'INFO:tensorflow:Step 50 per-step time 1.073s',
      'I1204 15:08:13.462568 1405 model_lib_v2.py:705] Step 50 per-step time 1.073s',
      "INFO:tensorflow:{'Loss/classification_loss': 3.469, 'Loss/total_loss': 4.62}",
      "I1204 15:08:13.463000 1405 model_lib_v2.py:708] {'Loss/classification_loss': 3.469, 'Loss/total_loss': 4.62}",
      'INFO:tensorflow:\t+ DetectionBoxes_Precision/mAP: 0.000100',
      'I1204 15:09:00.000000 1405 model_lib_v2.py:1018] \t+ DetectionBoxes_Precision/mAP: 0.000100',
    ];
    assert.deepEqual(lines.map((line) => reader.read(line)).filter(Boolean), [
      { step: 25, values: { classification_loss: 4.22822, total_loss: 5.542184 } },
      { step: 50, values: { classification_loss: 3.469, total_loss: 4.62 } },
      { step: 50, values: { eval_mAP: 0.0001 } },
    ]);
  });

  it("reads TF2's evaluation lines, one metric each", () => {
    const reader = new ObjectDetectionLogReader();
    const lines = [
      'I1124 10:05:00.000000 140 model_lib_v2.py:1015] Eval metrics at step 300',
      'I1124 10:05:00.000000 140 model_lib_v2.py:1018] \t+ DetectionBoxes_Precision/mAP: 0.412000',
      'I1124 10:05:00.000000 140 model_lib_v2.py:1018] \t+ Loss/total_loss: 0.870000',
    ];
    assert.deepEqual(lines.map((line) => reader.read(line)).filter(Boolean), [
      { step: 300, values: { eval_mAP: 0.412 } },
      { step: 300, values: { total_loss: 0.87 } },
    ]);
  });

  it('ignores unrelated output', () => {
    const reader = new ObjectDetectionLogReader();
    for (const line of [
      'W1124 some warning',
      "{'not': 'a loss'}",
      'loss = nan, step = 5 (1 sec)',
    ]) {
      assert.equal(reader.read(line), undefined, line);
    }
  });
});

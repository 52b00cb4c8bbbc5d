import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  findOutputLayout,
  findRenamedOutputLayout,
  getTfRuntime,
  interpretOutputs,
  resolveDetectOptions,
  type OutputArray,
  type OutputLayout,
  type Prediction,
  type TfRuntime,
} from '../../../src/detection';

// NMS runs on tfjs; the plain-JS cpu backend needs no files and is fast enough for a few boxes.
let runtime: TfRuntime;
before(async () => {
  runtime = await getTfRuntime({ backend: 'cpu' });
});

const TF2_NAMES = [
  'detection_anchor_indices',
  'detection_boxes',
  'detection_classes',
  'detection_multiclass_scores',
  'detection_scores',
  'num_detections',
  'raw_detection_boxes',
  'raw_detection_scores',
];

function rounded(predictions: Prediction[]): number[][] {
  return predictions.map((p) => p.map((v) => Math.round(v * 1000) / 1000));
}

describe('findRenamedOutputLayout (a converted SavedModel whose outputs became Identity_N)', () => {
  // What tensorflowjs_converter wrote for an SSD export: the order the file lists them in, with
  // num_detections kept by name and the rest named after the flattened (sorted) output keys.
  const SSD_OUTPUTS = [
    { name: 'Identity_7:0', shape: [1, 1917, 91] },
    { name: 'Identity_2:0', shape: [1, 100] },
    { name: 'Identity_1:0', shape: [1, 100, 4] },
    { name: 'Identity:0', shape: [1, 100] },
    { name: 'Identity_3:0', shape: [1, 100, 91] },
    { name: 'Identity_6:0', shape: [1, 1917, 4] },
    { name: 'Identity_4:0', shape: [1, 100] },
    { name: 'num_detections', shape: [1] },
  ];
  const SSD_LAYOUT = {
    kind: 'postprocessed',
    boxes: 'Identity_1:0',
    scores: 'Identity_4:0',
    classes: 'Identity_2:0',
    count: 'num_detections',
  };

  it('pairs the keys the converter recorded with the outputs by their index', () => {
    assert.deepEqual(findRenamedOutputLayout(SSD_OUTPUTS, TF2_NAMES), SSD_LAYOUT);
  });

  it("without recorded keys, uses the exporter's key set that fits the outputs' ranks", () => {
    assert.deepEqual(findRenamedOutputLayout(SSD_OUTPUTS), SSD_LAYOUT);
    const centerNet = [
      { name: 'Identity:0', shape: [1, -1, 4] },
      { name: 'Identity_1:0', shape: [1, -1] },
      { name: 'Identity_2:0', shape: [1, -1] },
      { name: 'Identity_3:0', shape: [1] },
    ];
    assert.deepEqual(findRenamedOutputLayout(centerNet), {
      kind: 'postprocessed',
      boxes: 'Identity:0',
      scores: 'Identity_2:0',
      classes: 'Identity_1:0',
      count: 'Identity_3:0',
    });
  });

  it('reads nothing into outputs whose ranks do not fit a detection export', () => {
    const classifier = SSD_OUTPUTS.map((o) => ({ ...o, shape: [1, 1000] }));
    assert.equal(findRenamedOutputLayout(classifier), undefined);
    assert.equal(findRenamedOutputLayout(SSD_OUTPUTS.slice(0, 5)), undefined);
    assert.equal(findRenamedOutputLayout(SSD_OUTPUTS, ['logits', 'probabilities']), undefined);
    // Without shapes and without recorded keys there is nothing to check a guess against.
    const shapeless = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'].map(
      (name) => ({
        name,
      }),
    );
    assert.equal(findRenamedOutputLayout(shapeless), undefined);
  });
});

describe('findOutputLayout', () => {
  it('recognises the TF2 SavedModel signature', () => {
    assert.deepEqual(findOutputLayout(TF2_NAMES), {
      kind: 'postprocessed',
      boxes: 'detection_boxes',
      scores: 'detection_scores',
      classes: 'detection_classes',
      count: 'num_detections',
    });
  });

  it('recognises TF1 frozen-graph tensor names and keeps them as given', () => {
    const layout = findOutputLayout([
      'num_detections:0',
      'detection_boxes:0',
      'detection_scores:0',
      'detection_classes:0',
    ]);
    assert.deepEqual(layout, {
      kind: 'postprocessed',
      boxes: 'detection_boxes:0',
      scores: 'detection_scores:0',
      classes: 'detection_classes:0',
      count: 'num_detections:0',
    });
  });

  it('recognises graphs that leave NMS to the caller (the COCO SSD test model)', () => {
    assert.deepEqual(findOutputLayout(['Postprocessor/Slice', 'Postprocessor/ExpandDims_1']), {
      kind: 'raw',
      boxes: 'Postprocessor/ExpandDims_1',
      scores: 'Postprocessor/Slice',
    });
  });

  it('says nothing about graphs it does not understand', () => {
    assert.equal(findOutputLayout(['logits', 'probabilities']), undefined);
    assert.equal(findOutputLayout(['detection_boxes', 'detection_scores']), undefined);
  });
});

describe('interpretOutputs: postprocessed (Object Detection API signature)', () => {
  const layout: OutputLayout = {
    kind: 'postprocessed',
    boxes: 'detection_boxes',
    scores: 'detection_scores',
    classes: 'detection_classes',
    count: 'num_detections',
  };
  // Four slots; the exporter pads with zeros after num_detections.
  const outputs = (count: number) =>
    new Map<string, OutputArray>([
      [
        'detection_boxes',
        {
          shape: [1, 4, 4],
          // ymin, xmin, ymax, xmax
          data: [0.1, 0.2, 0.5, 0.6, 0.0, 0.0, 1.0, 1.0, 0.3, 0.3, 0.4, 0.4, 0.9, 0.9, 0.95, 0.95],
        },
      ],
      ['detection_scores', { shape: [1, 4], data: [0.7, 0.95, 0.4, 0.99] }],
      ['detection_classes', { shape: [1, 4], data: [3, 1, 2, 5] }],
      ['num_detections', { shape: [1], data: [count] }],
    ]);

  it('turns boxes into [class, confidence, xmin, ymin, xmax, ymax], strongest first', async () => {
    const predictions = await interpretOutputs(
      runtime.tf,
      layout,
      outputs(3),
      resolveDetectOptions({ threshold: 0.5 }),
    );
    assert.deepEqual(rounded(predictions), [
      [1, 0.95, 0, 0, 1, 1],
      [3, 0.7, 0.2, 0.1, 0.6, 0.5],
    ]);
  });

  it('ignores the padding after num_detections', async () => {
    const all = await interpretOutputs(runtime.tf, layout, outputs(4), resolveDetectOptions());
    const counted = await interpretOutputs(runtime.tf, layout, outputs(3), resolveDetectOptions());
    assert.equal(all[0]![0], 5);
    assert.ok(!counted.some((p) => p[0] === 5));
  });

  it('keeps everything at or above a lower threshold, and caps the count', async () => {
    const low = await interpretOutputs(
      runtime.tf,
      layout,
      outputs(3),
      resolveDetectOptions({ threshold: 0.4 }),
    );
    assert.deepEqual(
      low.map((p) => p[0]),
      [1, 3, 2],
    );
    const capped = await interpretOutputs(
      runtime.tf,
      layout,
      outputs(3),
      resolveDetectOptions({ threshold: 0, maxDetections: 1 }),
    );
    assert.equal(capped.length, 1);
  });

  it('works without num_detections', async () => {
    const noCount: OutputLayout = { ...layout, count: undefined } as OutputLayout;
    const predictions = await interpretOutputs(
      runtime.tf,
      {
        kind: 'postprocessed',
        boxes: noCount.boxes,
        scores: 'detection_scores',
        classes: 'detection_classes',
      },
      outputs(0),
      resolveDetectOptions(),
    );
    assert.equal(predictions.length, 3);
  });
});

describe('interpretOutputs: raw scores and boxes with NMS done here', () => {
  const layout: OutputLayout = { kind: 'raw', scores: 'scores', boxes: 'boxes' };

  /** Anchors as [ymin, xmin, ymax, xmax] and per-class scores (column c is class c + 1). */
  function raw(anchors: { box: number[]; scores: number[] }[], boxRank4 = true) {
    const classes = anchors[0]!.scores.length;
    return new Map<string, OutputArray>([
      ['scores', { shape: [1, anchors.length, classes], data: anchors.flatMap((a) => a.scores) }],
      [
        'boxes',
        {
          shape: boxRank4 ? [1, anchors.length, 1, 4] : [1, anchors.length, 4],
          data: anchors.flatMap((a) => a.box),
        },
      ],
    ]);
  }

  it("takes each anchor's best class as argmax + 1 and drops weak anchors", async () => {
    const predictions = await interpretOutputs(
      runtime.tf,
      layout,
      raw([
        { box: [0.1, 0.1, 0.5, 0.5], scores: [0.1, 0.2, 0.9] },
        { box: [0.6, 0.6, 0.9, 0.9], scores: [0.8, 0.1, 0.1] },
        { box: [0.0, 0.0, 0.2, 0.2], scores: [0.3, 0.3, 0.3] },
      ]),
      resolveDetectOptions(),
    );
    assert.deepEqual(rounded(predictions), [
      [3, 0.9, 0.1, 0.1, 0.5, 0.5],
      [1, 0.8, 0.6, 0.6, 0.9, 0.9],
    ]);
  });

  it('suppresses a weaker box of the same class that overlaps a stronger one', async () => {
    const predictions = await interpretOutputs(
      runtime.tf,
      layout,
      raw([
        { box: [0.1, 0.1, 0.5, 0.5], scores: [0.7, 0] },
        { box: [0.12, 0.1, 0.52, 0.5], scores: [0.9, 0] },
        { box: [0.6, 0.6, 0.9, 0.9], scores: [0.6, 0] },
      ]),
      resolveDetectOptions(),
    );
    assert.deepEqual(rounded(predictions), [
      [1, 0.9, 0.1, 0.12, 0.5, 0.52],
      [1, 0.6, 0.6, 0.6, 0.9, 0.9],
    ]);
  });

  it('keeps overlapping boxes of different classes (a cup on a table)', async () => {
    const predictions = await interpretOutputs(
      runtime.tf,
      layout,
      raw(
        [
          { box: [0.0, 0.0, 1.0, 1.0], scores: [0.8, 0] },
          { box: [0.0, 0.0, 0.95, 0.95], scores: [0, 0.9] },
        ],
        false,
      ),
      resolveDetectOptions(),
    );
    assert.deepEqual(
      predictions.map((p) => p[0]),
      [2, 1],
    );
  });

  it('honours the IoU threshold: boxes overlapping less than it both stay', async () => {
    const anchors = [
      { box: [0, 0, 1, 0.6], scores: [0.9] },
      { box: [0, 0.4, 1, 1], scores: [0.8] },
    ];
    // IoU = 0.2 / 1.0 = 0.2
    const strict = await interpretOutputs(
      runtime.tf,
      layout,
      raw(anchors),
      resolveDetectOptions({ iouThreshold: 0.1 }),
    );
    const loose = await interpretOutputs(
      runtime.tf,
      layout,
      raw(anchors),
      resolveDetectOptions({ iouThreshold: 0.5 }),
    );
    assert.equal(strict.length, 1);
    assert.equal(loose.length, 2);
  });

  it('clamps boxes to the image and orders their corners', async () => {
    const predictions = await interpretOutputs(
      runtime.tf,
      layout,
      raw([{ box: [1.2, -0.1, 0.5, 0.4], scores: [0.9] }]),
      resolveDetectOptions(),
    );
    assert.deepEqual(rounded(predictions), [[1, 0.9, 0, 0.5, 0.4, 1]]);
  });

  it('refuses boxes that do not match the scores', async () => {
    await assert.rejects(
      interpretOutputs(
        runtime.tf,
        layout,
        new Map([
          ['scores', { shape: [1, 2, 3], data: [0, 0, 0, 0, 0, 0] }],
          ['boxes', { shape: [1, 3, 4], data: new Array(12).fill(0) }],
        ]),
        resolveDetectOptions(),
      ),
      /do not match/,
    );
  });

  it('leaves no tensors behind', async () => {
    const before = runtime.tf.memory().numTensors;
    await interpretOutputs(
      runtime.tf,
      layout,
      raw([
        { box: [0.1, 0.1, 0.5, 0.5], scores: [0.7] },
        { box: [0.1, 0.1, 0.5, 0.5], scores: [0.9] },
      ]),
      resolveDetectOptions(),
    );
    assert.equal(runtime.tf.memory().numTensors, before);
  });
});

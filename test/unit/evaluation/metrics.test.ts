import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxIou,
  CocoEvaluator,
  ConfusionAccumulator,
  IOU_THRESHOLDS,
  SUMMARY_KEYS,
} from '../../../src/detection/evaluation';
import { seededRandom } from '../prng';

/** Equal to 1e-9: precision is tp / (tp + fp + eps), as pycocotools computes it, so 1 - 1e-16. */
function close(actual: number, expected: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} is not ${expected}`);
}

// Hand-checked values; the number-for-number comparison with pycocotools is in
// test/integration/evaluation/fidelity.test.ts.

describe('boxIou', () => {
  it('is intersection over union, or over the detection for a crowd', () => {
    assert.equal(boxIou([0, 0, 10, 10], [0, 0, 10, 5], false), 0.5);
    assert.equal(boxIou([0, 0, 2, 2], [0, 0, 10, 10], true), 1);
    assert.equal(boxIou([0, 0, 2, 2], [0, 0, 10, 10], false), 0.04);
  });

  it('is 0 for boxes that only touch', () => {
    assert.equal(boxIou([0, 0, 10, 10], [10, 0, 10, 10], false), 0);
    assert.equal(boxIou([0, 0, 10, 10], [0, 10, 10, 10], false), 0);
  });
});

describe('CocoEvaluator', () => {
  it('gives 1 for perfect detections and -1 for what cannot be measured', () => {
    const evaluator = new CocoEvaluator([1, 2]);
    evaluator.addImage(
      1,
      [{ categoryId: 1, bbox: [0, 0, 200, 200] }],
      [{ categoryId: 1, bbox: [0, 0, 200, 200], score: 0.9 }],
    );
    const { summary, classes } = evaluator.evaluate();
    close(summary.AP, 1);
    close(summary.AP50, 1);
    close(summary.APl, 1);
    assert.equal(summary.APs, -1, 'no small objects');
    assert.equal(summary.APm, -1);
    assert.equal(summary.AR1, 1);
    close(classes[0]!.AP, 1);
    assert.deepEqual(
      classes.map((c) => [c.categoryId, c.groundTruth, c.detections]),
      [
        [1, 1, 1],
        [2, 0, 0],
      ],
    );
    assert.equal(classes[1]!.AP, -1);
  });

  it('counts a box at IoU 0.6 right at .50, .55 and .60 only', () => {
    const evaluator = new CocoEvaluator([1]);
    evaluator.addImage(
      1,
      [{ categoryId: 1, bbox: [0, 0, 100, 100] }],
      [{ categoryId: 1, bbox: [0, 0, 100, 60], score: 0.5 }],
    );
    const { summary } = evaluator.evaluate();
    close(summary.AP50, 1);
    assert.equal(summary.AP75, 0);
    close(summary.AP, 0.3, 'AP');
    close(summary.AR100, 0.3, 'AR100');
  });

  it('keeps a detection inside a crowd region from being a false positive', () => {
    const truths = [
      { categoryId: 1, bbox: [0, 0, 500, 500] as const, iscrowd: true },
      { categoryId: 1, bbox: [600, 600, 100, 100] as const },
    ];
    const evaluator = new CocoEvaluator([1]);
    evaluator.addImage(1, truths, [
      { categoryId: 1, bbox: [10, 10, 50, 50], score: 0.99 },
      { categoryId: 1, bbox: [600, 600, 100, 100], score: 0.5 },
    ]);
    close(evaluator.evaluate().summary.AP, 1);
  });

  it('uses the given area for small/medium/large, width * height without one', () => {
    const evaluator = new CocoEvaluator([1]);
    evaluator.addImage(
      1,
      [{ categoryId: 1, bbox: [0, 0, 200, 200], area: 500 }],
      [{ categoryId: 1, bbox: [0, 0, 200, 200], score: 0.9 }],
    );
    const { summary } = evaluator.evaluate();
    close(summary.APs, 1);
    assert.equal(summary.APl, -1);
  });

  it('refuses a repeated image id and boxes or scores that are not numbers', () => {
    const evaluator = new CocoEvaluator([1]);
    evaluator.addImage(7, [], []);
    assert.throws(() => evaluator.addImage(7, [], []), /image id 7 was already added/);
    assert.throws(
      () => evaluator.addImage(8, [{ categoryId: 1, bbox: [0, 0, NaN, 1] }], []),
      /not \[x, y, width, height\]/,
    );
    assert.throws(
      () => evaluator.addImage(9, [], [{ categoryId: 1, bbox: [0, 0, 1, 1], score: NaN }]),
      /score NaN/,
    );
  });

  it('keeps 100 detections per image and class however many come', () => {
    const evaluator = new CocoEvaluator([1]);
    const many = Array.from({ length: 5000 }, (_, i) => ({
      categoryId: 1,
      bbox: [i, i, 10, 10] as const,
      score: (i % 97) / 97,
    }));
    evaluator.addImage(1, [{ categoryId: 1, bbox: [0, 0, 10, 10] }], many);
    assert.equal(evaluator.evaluate().classes[0]!.detections, 100);
  });

  it('evaluates 5,000 images in about linear time (double the images, not 4x the time)', () => {
    const time = (images: number) => {
      const random = seededRandom(images);
      const evaluator = new CocoEvaluator([1, 2, 3]);
      const started = performance.now();
      for (let i = 0; i < images; i++) {
        const truths = Array.from({ length: 5 }, () => ({
          categoryId: 1 + Math.floor(random() * 3),
          bbox: [random() * 500, random() * 500, 10 + random() * 200, 10 + random() * 200] as const,
        }));
        const detections = truths.flatMap((t) => [
          { ...t, score: random() },
          {
            categoryId: t.categoryId,
            bbox: [random() * 500, random() * 500, 50, 50] as const,
            score: random(),
          },
        ]);
        evaluator.addImage(i, truths, detections);
      }
      const result = evaluator.evaluate();
      assert.ok(result.summary.AP > 0);
      return performance.now() - started;
    };
    time(500); // warm up
    // The best of three runs: the machine is shared, and a slow run says nothing about growth.
    const best = (images: number) => Math.min(time(images), time(images), time(images));
    const t2500 = best(2500);
    const t5000 = best(5000);
    assert.ok(
      t5000 < 3.5 * t2500,
      `2,500 images ${t2500.toFixed(0)} ms, 5,000 ${t5000.toFixed(0)} ms`,
    );
    assert.ok(t5000 < 10_000, `5,000 images took ${t5000.toFixed(0)} ms`);
  });

  it('has the IoU thresholds .50:.05:.95 with .50 and .75 found by equality', () => {
    assert.equal(IOU_THRESHOLDS.length, 10);
    assert.ok(IOU_THRESHOLDS.includes(0.5) && IOU_THRESHOLDS.includes(0.75));
    assert.equal(SUMMARY_KEYS.length, 12);
  });
});

describe('ConfusionAccumulator', () => {
  it('counts right, wrong-class, missed and false detections at the threshold', () => {
    const matrix = new ConfusionAccumulator(0.5, 0.5, [1, 2]);
    const errors = matrix.addImage(
      3,
      [
        { categoryId: 1, bbox: [0, 0, 100, 100] },
        { categoryId: 2, bbox: [200, 200, 100, 100] },
        { categoryId: 2, bbox: [400, 400, 100, 100] },
        { categoryId: 1, bbox: [700, 0, 300, 300], iscrowd: true },
      ],
      [
        { categoryId: 1, bbox: [0, 0, 100, 100], score: 0.9 }, // right
        { categoryId: 1, bbox: [200, 200, 100, 100], score: 0.8 }, // wrong class
        { categoryId: 2, bbox: [600, 600, 50, 50], score: 0.7 }, // false positive
        { categoryId: 2, bbox: [400, 400, 100, 100], score: 0.3 }, // below the threshold: a miss
        { categoryId: 1, bbox: [710, 10, 20, 20], score: 0.9 }, // inside a crowd: nowhere
      ],
    );
    const { truths, detections, ...tally } = errors;
    assert.deepEqual(tally, {
      imageId: 3,
      correct: 1,
      wrongClass: 1,
      misses: 1,
      falsePositives: 1,
    });
    assert.deepEqual(
      detections.map((d) => d.outcome),
      ['right', 'crowd', 'wrongClass', 'false'],
    );
    assert.deepEqual(
      truths.map((t) => t.outcome),
      ['found', 'found', 'missed', 'crowd'],
    );
    const { counts, categoryIds } = matrix.result();
    assert.deepEqual(categoryIds, [1, 2]);
    assert.deepEqual(counts, [
      [1, 0, 0],
      [1, 0, 1],
      [0, 1, 0],
    ]);
  });
});

describe('CocoEvaluator without a category list', () => {
  it('gives the same summary as with one (classes without ground truth are -1 either way)', () => {
    const random = seededRandom(42);
    const open = new CocoEvaluator();
    const fixed = new CocoEvaluator([1, 2, 3, 4]);
    for (let i = 0; i < 50; i++) {
      const truths = Array.from({ length: 4 }, () => ({
        categoryId: 1 + Math.floor(random() * 2),
        bbox: [random() * 300, random() * 300, 5 + random() * 150, 5 + random() * 150] as const,
      }));
      const detections = truths.map((t) => ({
        categoryId: random() < 0.8 ? t.categoryId : 1 + Math.floor(random() * 4),
        bbox: t.bbox.map((v) => v + random() * 10) as unknown as readonly [
          number,
          number,
          number,
          number,
        ],
        score: random(),
      }));
      open.addImage(i, truths, detections);
      fixed.addImage(i, truths, detections);
    }
    const a = open.evaluate();
    const b = fixed.evaluate();
    assert.deepEqual(a.summary, b.summary);
    assert.ok(a.summary.AP > 0);
    assert.deepEqual(
      a.classes.map((c) => c.categoryId),
      [1, 2, 3, 4],
    );
  });
});

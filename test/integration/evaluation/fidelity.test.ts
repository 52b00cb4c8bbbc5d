import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  evaluateCocoDataset,
  IOU_THRESHOLDS,
  RECALL_THRESHOLDS,
  SUMMARY_KEYS,
  type CocoEvaluation,
} from '../../../src/detection/evaluation';
import { handCase, randomCase, type EvaluationCase } from './datasets';
import { runPycocotools, type Reference } from './pycocotools';

// Every number of our COCO evaluation against pycocotools' COCOeval (the pinned version
// test/harness/setup.sh installs) on the same JSON: the twelve summary numbers, the whole
// precision [T,R,K,A,M] and recall [T,K,A,M] arrays, per-class AP and the PR curves' scores.
const TOLERANCE = 1e-4;

const seeded = (from: number, count: number, options: Parameters<typeof randomCase>[1]) =>
  Array.from({ length: count }, (_, i) => randomCase(from + i, options));

const small = seeded(1, 60, { images: 8, categories: 4, maxObjects: 8, maxClutter: 6 });
const crowded = seeded(1001, 6, { images: 5, categories: 2, maxObjects: 30, maxClutter: 160 });
const large = seeded(2001, 4, { images: 300, categories: 6, maxObjects: 12, maxClutter: 10 });

const square: [number, number, number, number] = [100, 100, 100, 100];
const hand: EvaluationCase[] = [
  handCase(
    'no-detections-image-and-class-without-truth',
    [1, 2, 3],
    [1, 2, 3],
    [
      { image: 1, category: 1, bbox: square },
      { image: 2, category: 1, bbox: [10, 10, 50, 40] },
      { image: 3, category: 2, bbox: [0, 0, 300, 300] },
    ],
    [
      { image_id: 1, category_id: 1, bbox: [105, 100, 100, 100], score: 0.9 },
      { image_id: 1, category_id: 3, bbox: [0, 0, 10, 10], score: 0.8 }, // class 3 has no truth
      { image_id: 3, category_id: 2, bbox: [0, 0, 290, 300], score: 0.4 },
    ],
  ),
  handCase(
    'score-ties-within-and-across-images',
    [1],
    [5, 2, 9],
    [
      { image: 5, category: 1, bbox: square },
      { image: 2, category: 1, bbox: square },
      { image: 9, category: 1, bbox: square },
      { image: 9, category: 1, bbox: [300, 300, 50, 50] },
    ],
    [
      { image_id: 5, category_id: 1, bbox: [400, 400, 80, 80], score: 0.5 },
      { image_id: 5, category_id: 1, bbox: square, score: 0.5 },
      { image_id: 2, category_id: 1, bbox: square, score: 0.5 },
      { image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], score: 0.5 },
      { image_id: 9, category_id: 1, bbox: [300, 300, 50, 50], score: 0.5 },
      { image_id: 9, category_id: 1, bbox: [600, 600, 50, 50], score: 0.5 },
    ],
  ),
  handCase(
    'crowd-regions',
    [1],
    [1, 2],
    [
      { image: 1, category: 1, bbox: [0, 0, 600, 400], iscrowd: true },
      { image: 1, category: 1, bbox: [700, 700, 60, 60] },
      { image: 2, category: 1, bbox: [0, 0, 200, 200], iscrowd: true },
    ],
    [
      { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.95 }, // inside the crowd
      { image_id: 1, category_id: 1, bbox: [50, 50, 30, 30], score: 0.9 }, // also inside
      { image_id: 1, category_id: 1, bbox: [700, 700, 60, 60], score: 0.6 },
      { image_id: 1, category_id: 1, bbox: [500, 300, 200, 200], score: 0.7 }, // half in
      { image_id: 2, category_id: 1, bbox: [150, 150, 100, 100], score: 0.8 },
    ],
  ),
  handCase(
    'boxes-touching-the-border-and-each-other',
    [1, 2],
    [1],
    [
      { image: 1, category: 1, bbox: [0, 0, 50, 50] },
      { image: 1, category: 1, bbox: [950, 950, 50, 50] },
      { image: 1, category: 2, bbox: [0, 960, 1000, 40] },
    ],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], score: 0.9 },
      { image_id: 1, category_id: 1, bbox: [50, 0, 50, 50], score: 0.8 }, // touches: IoU 0
      { image_id: 1, category_id: 1, bbox: [940, 940, 60, 60], score: 0.7 },
      { image_id: 1, category_id: 2, bbox: [0, 950, 1000, 50], score: 0.6 },
    ],
  ),
  handCase(
    'iou-exactly-on-thresholds-and-areas-on-range-bounds',
    [1],
    [1, 2, 3, 4, 5, 6],
    [
      { image: 1, category: 1, bbox: [0, 0, 100, 100] },
      { image: 2, category: 1, bbox: [0, 0, 100, 100] },
      { image: 3, category: 1, bbox: [0, 0, 100, 100] },
      { image: 4, category: 1, bbox: [0, 0, 100, 100] },
      { image: 5, category: 1, bbox: [0, 0, 32, 32] }, // area 1024: small and medium
      { image: 6, category: 1, bbox: [0, 0, 96, 96] }, // area 9216: medium and large
      { image: 6, category: 1, bbox: [200, 200, 10, 10], area: 5000 },
    ],
    [
      { image_id: 1, category_id: 1, bbox: [0, 0, 100, 50], score: 0.9 }, // 0.50
      { image_id: 2, category_id: 1, bbox: [0, 0, 100, 55], score: 0.8 }, // 0.55
      { image_id: 3, category_id: 1, bbox: [0, 0, 100, 75], score: 0.7 }, // 0.75
      { image_id: 4, category_id: 1, bbox: [0, 0, 100, 95], score: 0.6 }, // 0.95
      { image_id: 5, category_id: 1, bbox: [0, 0, 32, 32], score: 0.5 },
      { image_id: 6, category_id: 1, bbox: [0, 0, 96, 96], score: 0.4 },
      { image_id: 6, category_id: 1, bbox: [200, 200, 10, 10], score: 0.3 },
    ],
  ),
  handCase(
    'duplicate-truth-and-duplicate-detections',
    [1, 2],
    [1, 2],
    [
      { image: 1, category: 1, bbox: square },
      { image: 1, category: 1, bbox: square },
      { image: 2, category: 2, bbox: [10, 10, 20, 20] },
    ],
    [
      { image_id: 1, category_id: 1, bbox: square, score: 0.9 },
      { image_id: 1, category_id: 1, bbox: square, score: 0.9 },
      { image_id: 1, category_id: 1, bbox: square, score: 0.9 },
      { image_id: 2, category_id: 1, bbox: [10, 10, 20, 20], score: 0.99 }, // wrong class
      { image_id: 2, category_id: 2, bbox: [12, 10, 20, 20], score: 0.2 },
    ],
  ),
];

const cases = [...hand, ...small, ...crowded, ...large];
let dir: string;
let references: Map<string, Reference>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tfod-cocoeval-'));
  references = runPycocotools(dir, cases);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Asserts two equal-length arrays agree within the tolerance, naming the first index that does not. */
function assertClose(ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string): void {
  assert.equal(ours.length, theirs.length, `${what}: length`);
  for (let i = 0; i < ours.length; i++)
    if (!(Math.abs(ours[i]! - theirs[i]!) <= TOLERANCE))
      assert.fail(`${what}[${i}]: ours ${ours[i]}, pycocotools ${theirs[i]}`);
}

function compare(c: EvaluationCase): { ours: CocoEvaluation; reference: Reference } {
  const reference = references.get(c.name)!;
  const ours = evaluateCocoDataset(c.ourDataset, c.results);
  assertClose(
    SUMMARY_KEYS.map((key) => ours.summary[key]),
    reference.stats,
    `${c.name} summary`,
  );
  assert.deepEqual([...ours.categoryIds], reference.catIds, `${c.name} categories`);
  assertClose(ours.precision, reference.precision, `${c.name} precision`);
  assertClose(ours.recall, reference.recall, `${c.name} recall`);
  const [T, R, K, A, M] = reference.shape;
  const at = (t: number, r: number, k: number, a: number, m: number) =>
    (((t * R + r) * K + k) * A + a) * M + m;
  for (let k = 0; k < K; k++) {
    // Per-class AP as Detectron and the OD API compute it from COCOeval's precision.
    const values: number[] = [];
    for (let t = 0; t < T; t++)
      for (let r = 0; r < R; r++) values.push(reference.precision[at(t, r, k, 0, M - 1)]!);
    const valid = values.filter((v) => v > -1);
    const ap = valid.length ? valid.reduce((s, v) => s + v, 0) / valid.length : -1;
    assertClose([ours.classes[k]!.AP], [ap], `${c.name} class ${reference.catIds[k]} AP`);
    for (const curve of ours.curves.filter((x) => x.categoryId === reference.catIds[k])) {
      const t = reference.iouThrs.indexOf(curve.iouThreshold);
      const scores = Array.from({ length: R }, (_, r) => reference.scores[at(t, r, k, 0, M - 1)]!);
      assertClose(
        curve.scores,
        scores,
        `${c.name} class ${curve.categoryId} scores@${curve.iouThreshold}`,
      );
    }
  }
  void A;
  return { ours, reference };
}

describe('COCO metrics against pycocotools COCOeval (bbox)', () => {
  it('uses the same IoU and recall thresholds, to the last bit', () => {
    const reference = references.get(hand[0]!.name)!;
    assert.deepEqual([...IOU_THRESHOLDS], reference.iouThrs);
    assert.deepEqual([...RECALL_THRESHOLDS], reference.recThrs);
  });

  for (const c of hand)
    it(`agrees on every number: ${c.name}`, () => {
      const { ours } = compare(c);
      // The case is not trivially empty: something was detected and something was measured.
      assert.ok(ours.summary.AP > 0, `${c.name}: AP ${ours.summary.AP}`);
    });

  it('agrees on an image without detections and a class without ground truth (-1)', () => {
    const { ours, reference } = compare(hand[0]!);
    const class3 = ours.classes.find((k) => k.categoryId === 3)!;
    assert.equal(class3.AP, -1);
    assert.equal(class3.groundTruth, 0);
    assert.equal(reference.stats[3], -1, 'no small objects: APs is -1 in pycocotools too');
    assert.equal(ours.summary.APs, -1);
  });

  it(`agrees on every number of ${small.length} seeded small datasets`, () => {
    for (const c of small) compare(c);
  });

  it(`agrees with over 100 detections per image and class (maxDets), ${crowded.length} seeds`, () => {
    for (const c of crowded) {
      const { ours } = compare(c);
      assert.notEqual(
        ours.summary.AR10,
        ours.summary.AR100,
        `${c.name}: maxDets made no difference`,
      );
    }
  });

  it(`agrees on ${large.length} seeded datasets of 300 images`, () => {
    for (const c of large) compare(c);
  });
});

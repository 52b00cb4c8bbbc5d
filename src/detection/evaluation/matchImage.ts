import { boxIou, type CocoBox } from './boxIou';
import { AREA_RANGES, IOU_THRESHOLDS, MAX_DETECTIONS } from './params';

/** One ground-truth object of an image. */
export interface GroundTruthObject {
  readonly categoryId: number;
  readonly bbox: CocoBox;
  /** Area that decides small/medium/large; default width * height (COCO's is the mask's). */
  readonly area?: number;
  /** A crowd region: never a miss, and detections inside it are neither right nor wrong. */
  readonly iscrowd?: boolean;
}

/** One detection of an image. */
export interface DetectedObject {
  readonly categoryId: number;
  readonly bbox: CocoBox;
  readonly score: number;
}

/** What a detection counts as at one IoU threshold and area range. */
export const DetectionOutcome = { FalsePositive: 0, TruePositive: 1, Ignored: 2 } as const;
export type DetectionOutcome = (typeof DetectionOutcome)[keyof typeof DetectionOutcome];

/**
 * The evaluation of one image for one category (pycocotools' `evaluateImg`, for every area range
 * at once): the kept detections' scores, best first, and each one's outcome per area range and IoU
 * threshold.
 */
export interface ImageCategoryResult {
  readonly imageId: number;
  /** Scores of the kept detections (at most 100), highest first, ties in input order. */
  readonly scores: Float64Array;
  /** `outcomes[(a * T + t) * D + d]`: {@link DetectionOutcome} of detection d. */
  readonly outcomes: Uint8Array;
  /** Ground truth that counts (not crowd, area in range), per area range. */
  readonly countedTruth: Int32Array;
}

const T = IOU_THRESHOLDS.length;
const A = AREA_RANGES.length;
const MAX_DET = MAX_DETECTIONS[MAX_DETECTIONS.length - 1];
/** pycocotools caps the IoU a match needs just below 1 so that a perfect box still matches. */
const IOU_CAP = 1 - 1e-10;

/** Indices of `values` sorted by `key` ascending; ties keep their order (numpy's mergesort). */
export function stableOrder(length: number, key: (i: number) => number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  return order.sort((i, j) => key(i) - key(j) || i - j);
}

/**
 * Matches one image's detections of one category to its ground truth of that category, exactly as
 * pycocotools' `computeIoU` + `evaluateImg` do for every area range: detections sorted by score
 * (stable) and cut to 100; ground truth outside the area range or crowd sorted last; each
 * detection, best first, takes the unmatched ground truth with the highest IoU at or above the
 * threshold (a later one on a tie), preferring counted over ignored ground truth; a crowd region
 * can be matched any number of times. A detection matched to ignored ground truth, or unmatched
 * and itself outside the area range, is ignored.
 */
export function matchImageCategory(
  imageId: number,
  truths: readonly GroundTruthObject[],
  detections: readonly DetectedObject[],
): ImageCategoryResult {
  const byScore = stableOrder(detections.length, (i) => -detections[i]!.score).slice(0, MAX_DET);
  const dts = byScore.map((i) => detections[i]!);
  const D = dts.length;
  const G = truths.length;
  const scores = new Float64Array(D);
  for (let d = 0; d < D; d++) scores[d] = dts[d]!.score;
  const outcomes = new Uint8Array(A * T * D);
  const countedTruth = new Int32Array(A);

  // IoU of every kept detection with every ground truth, in input order.
  const ious = new Float64Array(D * G);
  if (D > 0 && G > 0)
    for (let d = 0; d < D; d++)
      for (let g = 0; g < G; g++)
        ious[d * G + g] = boxIou(dts[d]!.bbox, truths[g]!.bbox, truths[g]!.iscrowd === true);

  const truthArea = truths.map((g) => g.area ?? g.bbox[2] * g.bbox[3]);
  const detectionArea = dts.map((d) => d.bbox[2] * d.bbox[3]);
  const ignoredTruth = new Uint8Array(G);
  const matchedTruth = new Uint8Array(G);
  const match = new Int32Array(D);

  for (let a = 0; a < A; a++) {
    const { min, max } = AREA_RANGES[a]!;
    for (let g = 0; g < G; g++) {
      const area = truthArea[g]!;
      ignoredTruth[g] = truths[g]!.iscrowd || area < min || area > max ? 1 : 0;
    }
    let counted = 0;
    for (let g = 0; g < G; g++) counted += 1 - ignoredTruth[g]!;
    countedTruth[a] = counted;
    // Counted ground truth first, each group in input order.
    const order = stableOrder(G, (g) => ignoredTruth[g]!);
    for (let t = 0; t < T; t++) {
      matchedTruth.fill(0);
      match.fill(-1);
      if (G > 0) {
        const threshold = Math.min(IOU_THRESHOLDS[t]!, IOU_CAP);
        for (let d = 0; d < D; d++) {
          let best = threshold;
          let m = -1;
          for (const g of order) {
            if (matchedTruth[g] && !truths[g]!.iscrowd) continue;
            // Matched to counted ground truth, and only ignored ones are left: stop.
            if (m > -1 && ignoredTruth[m] === 0 && ignoredTruth[g] === 1) break;
            const iou = ious[d * G + g]!;
            if (iou < best) continue;
            best = iou;
            m = g;
          }
          if (m === -1) continue;
          match[d] = m;
          matchedTruth[m] = 1;
        }
      }
      const base = (a * T + t) * D;
      for (let d = 0; d < D; d++) {
        const m = match[d]!;
        let outcome: DetectionOutcome;
        if (m >= 0)
          outcome = ignoredTruth[m] ? DetectionOutcome.Ignored : DetectionOutcome.TruePositive;
        else {
          const area = detectionArea[d]!;
          outcome =
            area < min || area > max ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive;
        }
        outcomes[base + d] = outcome;
      }
    }
  }
  return { imageId, scores, outcomes, countedTruth };
}

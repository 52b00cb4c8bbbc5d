/**
 * pycocotools' default parameters for box detection (`Params.setDetParams`), computed the way
 * numpy's `linspace` computes them so every threshold is the same double.
 */

/** numpy.linspace(start, stop, num): `i * step + start`, the last one exactly `stop`. */
function linspace(start: number, stop: number, num: number): readonly number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/** IoU thresholds .50:.05:.95 (T = 10). */
export const IOU_THRESHOLDS = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);

/** Recall thresholds 0:.01:1 (R = 101), where precision is sampled. */
export const RECALL_THRESHOLDS = linspace(0, 1, Math.round((1 - 0) / 0.01) + 1);

/** Detections kept per image and category, ascending (M = 3). */
export const MAX_DETECTIONS = [1, 10, 100] as const;

/** Object area ranges in square pixels, inclusive at both ends (A = 4). */
export const AREA_RANGES = [
  { name: 'all', min: 0, max: 1e5 ** 2 },
  { name: 'small', min: 0, max: 32 ** 2 },
  { name: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { name: 'large', min: 96 ** 2, max: 1e5 ** 2 },
] as const;

export type AreaRangeName = (typeof AREA_RANGES)[number]['name'];

/** Index of a threshold in {@link IOU_THRESHOLDS} by equality, as `np.where(iouThr == iouThrs)`. */
export function iouThresholdIndex(threshold: number): number {
  return IOU_THRESHOLDS.indexOf(threshold);
}

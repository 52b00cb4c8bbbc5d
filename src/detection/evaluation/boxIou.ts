/** A box as COCO writes it: left, top, width, height, in pixels. */
export type CocoBox = readonly [x: number, y: number, width: number, height: number];

/**
 * Overlap of a detection with a ground-truth box, as pycocotools' `bbIou`: intersection over
 * union, or over the detection's own area when the ground truth is a crowd region (a detection
 * wholly inside a crowd scores 1 however small it is). 0 when they only touch.
 */
export function boxIou(detection: CocoBox, truth: CocoBox, crowd: boolean): number {
  const [dx, dy, dw, dh] = detection;
  const [gx, gy, gw, gh] = truth;
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const intersection = w * h;
  const detectionArea = dw * dh;
  const union = crowd ? detectionArea : detectionArea + gw * gh - intersection;
  return intersection / union;
}

import {
  DEFAULT_IOU_THRESHOLD,
  DEFAULT_MAX_DETECTIONS,
  DEFAULT_SCORE_THRESHOLD,
  type DetectOptions,
  type Prediction,
} from './types';

/** {@link DetectOptions} with every default filled in and each value checked. */
export interface ResolvedDetectOptions {
  readonly threshold: number;
  readonly iouThreshold: number;
  readonly maxDetections: number;
}

export function resolveDetectOptions(options: DetectOptions = {}): ResolvedDetectOptions {
  const threshold = options.threshold ?? DEFAULT_SCORE_THRESHOLD;
  const iouThreshold = options.iouThreshold ?? DEFAULT_IOU_THRESHOLD;
  const maxDetections = options.maxDetections ?? DEFAULT_MAX_DETECTIONS;
  if (!isThreshold(threshold))
    throw new RangeError(`threshold must be a number from 0 to 1, not ${threshold}`);
  if (!isThreshold(iouThreshold))
    throw new RangeError(`iouThreshold must be a number from 0 to 1, not ${iouThreshold}`);
  if (!Number.isInteger(maxDetections) || maxDetections < 1)
    throw new RangeError(
      `maxDetections must be a whole number of at least 1, not ${maxDetections}`,
    );
  return { threshold, iouThreshold, maxDetections };
}

/** True for a confidence threshold a request may carry: a finite number from 0 to 1. */
export function isThreshold(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

/**
 * A prediction from a box in the Object Detection API's order (ymin, xmin, ymax, xmax), clamped to
 * the image and turned into the seed's order (xmin, ymin, xmax, ymax).
 */
export function predictionFromBox(
  classId: number,
  confidence: number,
  ymin: number,
  xmin: number,
  ymax: number,
  xmax: number,
): Prediction {
  const [x0, x1] = ordered(clamp01(xmin), clamp01(xmax));
  const [y0, y1] = ordered(clamp01(ymin), clamp01(ymax));
  return [classId, confidence, x0, y0, x1, y1];
}

/**
 * Keeps predictions at or above `threshold`, strongest first (ties keep their order), at most
 * `maxDetections` of them.
 */
export function selectPredictions(
  predictions: readonly Prediction[],
  threshold: number,
  maxDetections: number = DEFAULT_MAX_DETECTIONS,
): Prediction[] {
  return predictions
    .filter((p) => p[1] >= threshold)
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxDetections);
}

/** A class's display name from a label map (id -> name), or `class <id>` without one. */
export function labelFor(classId: number, labels?: ReadonlyMap<number, string>): string {
  return labels?.get(classId) ?? `class ${classId}`;
}

function clamp01(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

function ordered(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

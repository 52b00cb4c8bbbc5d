/**
 * One detection as the seed's serving interface returns it:
 * `[class_id, confidence, xmin, ymin, xmax, ymax]`, coordinates normalised to 0..1 of the image's
 * width and height, class ids as in the model's label map (from 1).
 */
export type Prediction = [
  classId: number,
  confidence: number,
  xmin: number,
  ymin: number,
  xmax: number,
  ymax: number,
];

/** Decoded pixels, 8-bit RGBA, row-major, `data.length === width * height * 4`. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Detections below this confidence are dropped unless a request asks otherwise. 0.5 is what the
 * TF.js COCO-SSD wrapper and the Object Detection API's visualisation utilities use by default,
 * so the same photo shows the same boxes here, in the seed's notebook and in the preview.
 */
export const DEFAULT_SCORE_THRESHOLD = 0.5;

/** Boxes overlapping a stronger box of the same class by more than this IoU are suppressed. */
export const DEFAULT_IOU_THRESHOLD = 0.5;

/** The most detections one image returns (the Object Detection API's exporters also keep 100). */
export const DEFAULT_MAX_DETECTIONS = 100;

export interface DetectOptions {
  /** Minimum confidence, 0..1; default {@link DEFAULT_SCORE_THRESHOLD}. */
  readonly threshold?: number;
  /** Non-max suppression overlap limit for graphs that leave NMS to the caller. */
  readonly iouThreshold?: number;
  /** Upper bound on the number of predictions returned. */
  readonly maxDetections?: number;
  /** A detection still queued behind others when this aborts is skipped (it rejects). */
  readonly signal?: AbortSignal;
}

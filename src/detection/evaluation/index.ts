/**
 * Object detection metrics: COCO's (pycocotools' COCOeval for boxes, number for number) and a
 * confusion matrix at a score threshold. Pure computation, fed one image at a time.
 */
export { boxIou, type CocoBox } from './boxIou';
export {
  CocoEvaluator,
  SUMMARY_KEYS,
  type ClassEvaluation,
  type CocoEvaluation,
  type CocoSummary,
  type PrecisionRecallCurve,
} from './cocoEvaluator';
export {
  ConfusionAccumulator,
  type ConfusionMatrix,
  type ImageErrors,
  type ImageVerdict,
  type JudgedDetection,
  type JudgedTruth,
} from './confusion';
export { type DetectedObject, type GroundTruthObject } from './matchImage';
export { AREA_RANGES, IOU_THRESHOLDS, MAX_DETECTIONS, RECALL_THRESHOLDS } from './params';
export { evaluateCocoDataset, type CocoDataset, type CocoResult } from './cocoJson';

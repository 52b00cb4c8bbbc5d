/**
 * Evaluating a model on validation TFRecords: records in, COCO metrics, a confusion matrix and a
 * COCO results file out. The metrics themselves are src/detection/evaluation (pure).
 */
export {
  evaluateRecords,
  type EvaluateRecordsOptions,
  type ImageDetections,
  type RecordsEvaluation,
} from './evaluateRecords';
export { detectionOf, groundTruthOf, imageIdOf, pixelBox } from './groundTruth';
export { CocoResultsFile } from './resultsFile';
export {
  buildReport,
  csvText,
  reportCsv,
  reportJson,
  SUMMARY_NAMES,
  type EvaluationReport,
  type GalleryImage,
} from './report';
export { readGalleryImages } from './galleryImages';
export { WORST_KEPT, type WorstImage } from './evaluateRecords';
export {
  betterText,
  classVerdict,
  compareReports,
  comparisonCsv,
  signedDelta,
  type Better,
  type ClassComparison,
  type EvaluationComparison,
  type MetricComparison,
} from './compare';
export { parseReportJson, readReportFile, reportProblem } from './reportFile';

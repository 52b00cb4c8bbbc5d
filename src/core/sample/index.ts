// The record format lives in core/records; re-exported here for the sample's existing users.
export { crc32c, encodeExample, maskedCrc32c, type FeatureValue } from '../records';
export {
  sampleImages,
  sampleLabelMap,
  samplePipelineConfig,
  shapeExample,
  writeSampleProject,
  SAMPLE_CHECKPOINT_PREFIX,
  SAMPLE_CHECKPOINT_URL,
  SAMPLE_MODEL_FOLDER,
  TRAIN_SHARDS,
  type SampleImage,
  type SampleOptions,
  type SampleProject,
} from './project';
export { drawShapeImage, SAMPLE_CLASSES, seededRandom, type ShapeBox } from './shapes';
export { tfRecordFile, tfRecordFrame } from '../records';
export { checkpointDownloadCommand, sampleFolderProblem, sampleSummary } from './nextSteps';

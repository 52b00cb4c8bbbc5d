export { crc32c, maskedCrc32c } from './crc32c';
export { encodeExample, type FeatureValue } from './example';
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
export { tfRecordFile, tfRecordFrame } from './tfrecord';
export { checkpointDownloadCommand, sampleFolderProblem, sampleSummary } from './nextSteps';

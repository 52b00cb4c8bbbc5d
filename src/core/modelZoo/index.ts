// The Detection Model Zoo: its catalogue, downloads into the shared cache, and new projects.
export {
  DEFAULT_MODEL_ZOO_URL,
  describeZooModel,
  findZooModel,
  MODEL_ZOO,
  type ZooModel,
  type ZooOutput,
} from './catalogue';
export {
  archiveUrl,
  defaultCacheDir,
  downloadZooArchive,
  modelZooBaseUrl,
  type DownloadOptions,
  type DownloadProgress,
} from './download';
export {
  batchSizeFor,
  initZooProject,
  instanceMemoryBytes,
  resolveZooModel,
  type InitOptions,
  type InitResult,
} from './project';
export { labelMapText, readRecordClasses, type RecordClasses } from './recordClasses';

/** The local target: training jobs and endpoints in Docker on this machine (no AWS account). */
export {
  LocalTarget,
  modelSourceOf,
  DEFAULT_STOP_TIMEOUT_SECONDS,
  type LocalTargetOptions,
} from './target';
export type { StartLocalJobOptions } from './training';
export {
  DEFAULT_READY_TIMEOUT_MS,
  describeModelSource,
  localEndpointName,
  SERVING_PORT,
  type EndpointRecord,
  type LocalModelSource,
  type LocalServeRequest,
} from './serving';
export {
  defaultLocalOutputPath,
  endpointsFolder,
  jobPaths,
  jobsFolder,
  LABELS,
  STATE_FOLDER,
  trainingConfigFiles,
  workspaceHash,
  type JobPaths,
} from './layout';
export { engineHasGpu, gpuDeviceRequests, isGpuImage } from './docker';
export { extractModelArchive, writeModelArchive, type ArchiveEntry } from './modelArchive';
export type { JobRecord, StatusRecord } from './jobState';

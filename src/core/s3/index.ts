export { ensureBucket, type EnsureBucketOptions } from './bucket';
export { decideSkip, sha256File, SHA256_METADATA, type SkipDecision } from './checksum';
export { createS3Client, s3EndpointOverride } from './client';
export {
  downloadModelArtifact,
  downloadObject,
  type DownloadOptions,
  type DownloadProgress,
} from './download';
export { explainS3Error } from './errors';
export { DEFAULT_PART_SIZE, MIN_PART_SIZE, partRanges, partSizeFor } from './parts';
export {
  layoutTrainingFolder,
  planProblemsError,
  planUpload,
  type PlannedFile,
  type UploadPlan,
  type UploadProblem,
} from './plan';
export {
  abortIncompleteUploads,
  uploadFiles,
  type UploadEvent,
  type UploadOptions,
  type UploadProgress,
  type UploadResult,
} from './upload';
export {
  bucketNameProblem,
  formatS3Uri,
  joinKey,
  parseS3Prefix,
  parseS3Uri,
  type S3Location,
} from './uri';

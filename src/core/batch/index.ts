export * from './results';
export {
  DEFAULT_LOCAL_CONCURRENCY,
  listImages,
  runLocalBatch,
  type LocalBatchOptions,
  type LocalBatchResult,
} from './localBatch';

/** The SageMaker serving contract over the detection engine, shared by the container and `tfod serve`. */
export {
  createServingApp,
  DEFAULT_DRAIN_MS,
  DEFAULT_TIMEOUT_SECONDS,
  type ServingApp,
  type ServingAppOptions,
} from './app';
export { MAX_BODY_BYTES } from './body';
export { growHeapForServing, HEAP_GROWING_FLAG } from './heap';
export { HttpError } from './httpError';
export {
  ACCEPTED_CONTENT_TYPES,
  checkContentType,
  parseInvocation,
  type Invocation,
} from './invocation';
export { runServer, type RunServerOptions } from './run';
export {
  DEFAULT_PORT,
  servingHost,
  servingSettings,
  visibleGpus,
  type ServingHost,
  type ServingOverrides,
  type ServingSettings,
} from './settings';
export type { ModelDescription } from './workerProtocol';

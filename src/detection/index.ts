/**
 * The detection engine shared by the serving container, the CLI and the extension's preview:
 * decode an image, run a model, turn its outputs into the seed's prediction list. vscode-free.
 */
export type { DetectOptions, Prediction, RgbaImage } from './types';
export { DEFAULT_IOU_THRESHOLD, DEFAULT_MAX_DETECTIONS, DEFAULT_SCORE_THRESHOLD } from './types';
export { ImageDecodeError, ImageTooLargeError, ModelFolderError } from './errors';
export {
  checkImageHeader,
  decodeImage,
  encodePng,
  readImageHeader,
  sniffImageFormat,
  MAX_DECODE_BYTES,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  MAX_JPEG_SCANS,
  type ImageFormat,
  type ImageHeader,
} from './image';
export { inspectModelFolder, SAGEMAKER_MODEL_DIR, type ModelFolder } from './modelFolder';
export { graphModelFromFiles } from './graphModelFiles';
export {
  getTfRuntime,
  type BackendChoice,
  type BackendName,
  type RuntimeOptions,
  type TfRuntime,
} from './runtime';
export {
  findOutputLayout,
  findRenamedOutputLayout,
  interpretOutputs,
  type OutputArray,
  type OutputLayout,
} from './outputs';
export {
  isThreshold,
  labelFor,
  predictionFromBox,
  resolveDetectOptions,
  selectPredictions,
} from './predictions';
export { createDetector, loadDetector, type Detector, type LoadDetectorOptions } from './detector';
export type { ModelRunner } from './runner';
export {
  boxToPixels,
  colourForClass,
  drawPredictions,
  type DrawOptions,
  type PixelBox,
  type Rgb,
} from './draw';

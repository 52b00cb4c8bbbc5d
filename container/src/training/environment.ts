import { join } from 'node:path';

/**
 * Where SageMaker's training contract puts things, under /opt/ml. TFOD_OPT_ML moves the root so
 * the same code runs against a SageMaker-identical tree anywhere (the local target and the tests
 * mount one at /opt/ml, a developer can point it at a folder).
 */
export interface TrainingPaths {
  readonly root: string;
  readonly hyperparameters: string;
  readonly inputDataConfig: string;
  readonly resourceConfig: string;
  readonly model: string;
  readonly output: string;
  readonly failure: string;
  /** Scratch space on the job's volume that SageMaker does not upload. */
  readonly work: string;
  /**
   * CheckpointConfig's LocalPath: SageMaker syncs it with the job's checkpoint S3 URI and fills it
   * again when it restarts an interrupted spot job; the local target mounts a job folder there.
   */
  readonly checkpoints: string;
  /** TensorBoardOutputConfig's LocalPath: the event files are copied here. */
  readonly tensorboard: string;
  channel(name: string): string;
}

export function trainingPaths(root = process.env.TFOD_OPT_ML || '/opt/ml'): TrainingPaths {
  return {
    root,
    hyperparameters: join(root, 'input', 'config', 'hyperparameters.json'),
    inputDataConfig: join(root, 'input', 'config', 'inputdataconfig.json'),
    resourceConfig: join(root, 'input', 'config', 'resourceconfig.json'),
    model: join(root, 'model'),
    output: join(root, 'output'),
    failure: join(root, 'output', 'failure'),
    work: process.env.TFOD_WORK_DIR || join(root, 'work'),
    checkpoints: join(root, 'checkpoints'),
    tensorboard: join(root, 'output', 'tensorboard'),
    channel: (name) => join(root, 'input', 'data', name),
  };
}

/** The Object Detection API installation the image carries (set by the Dockerfile). */
export interface ObjectDetectionApi {
  /** 1 or 2: which training and export scripts exist. */
  readonly tfMajor: 1 | 2;
  /** The folder holding object_detection/ (tensorflow/models' research/). */
  readonly researchDir: string;
  readonly python: string;
}

export function objectDetectionApi(env: NodeJS.ProcessEnv = process.env): ObjectDetectionApi {
  const major = env.TFOD_TF_MAJOR === '1' ? 1 : 2;
  return {
    tfMajor: major,
    researchDir: env.TFOD_OD_API_DIR || '/opt/models/research',
    python: env.TFOD_PYTHON || 'python3',
  };
}

import { objectDetectionApi, trainingPaths } from './training/environment';
import { writeFailure } from './training/failure';
import { createStepRunner } from './training/runStep';
import { train } from './training/train';

// `train`: SageMaker runs the image as `docker run <image> train`. Exit 0 on success; on failure,
// the reason goes to /opt/ml/output/failure and the exit code is non-zero. SIGTERM (StopTrainingJob
// or the local target's Stop) stops the running script and exits well within SageMaker's 120 s.
const STOP_GRACE_MS = Number(process.env.TFOD_STOP_GRACE_MS ?? 90_000);

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const paths = trainingPaths();
const runner = createStepRunner(log);
let stopping = false;

process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  log('[tfod] SIGTERM: stopping training');
  void runner.stop(STOP_GRACE_MS).then(() => process.exit(143));
});

train({ paths, api: objectDetectionApi(), runner, log }).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    if (stopping) return;
    const reason = writeFailure(paths.failure, error);
    process.stderr.write(`[tfod] training failed: ${reason}\n`);
    process.exitCode = 1;
  },
);

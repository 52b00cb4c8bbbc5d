import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { createS3Client } from '../../core/s3';
import {
  findTensorBoard,
  installTensorBoard,
  launchTensorBoard,
  ownTensorBoardEnv,
} from '../../core/tensorboard';
import {
  addAwsOptions,
  addTargetOption,
  awsSession,
  interruptible,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface TensorBoardFlags extends TargetFlags {
  readonly tensorboard?: string;
  readonly install?: boolean;
}

/**
 * `tfod tensorboard <job>`: TensorBoard on the job's event files (the local job folder's, or a
 * SageMaker job's copied from S3 and kept up to date while it runs), until Ctrl+C.
 */
export function register(program: Command): void {
  const command = program
    .command('tensorboard <job>')
    .description(
      "Open TensorBoard on a training job's event files (losses, learning rate, evaluation), until Ctrl+C",
    )
    .option(
      '--tensorboard <path>',
      'the tensorboard executable (default: env TFOD_TENSORBOARD, our own environment, then PATH)',
    )
    .option(
      '--install',
      `when none is found, install TensorBoard from PyPI into ${ownTensorBoardEnv()}`,
    );
  addAwsOptions(addTargetOption(command)).action(
    async (name: string, flags: TensorBoardFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      await interruptible(async (signal) => {
        const job = await withTarget(flags, (target) => target.describeTrainingJob(name, signal));
        let executable = findTensorBoard(flags.tensorboard ?? process.env.TFOD_TENSORBOARD)?.path;
        if (!executable) {
          if (!flags.install)
            throw new UserError(
              'TensorBoard is not installed (no tensorboard on PATH)',
              `Install it (pip install tensorboard), give --tensorboard PATH, or run again with --install to put one in ${ownTensorBoardEnv()}`,
            );
          err(`Installing TensorBoard into ${ownTensorBoardEnv()} (pip install tensorboard)\n`);
          executable = await installTensorBoard({ signal, onLine: (line) => err(`  ${line}\n`) });
        }
        const session = awsSession(flags);
        const client = job.target === 'sagemaker' ? createS3Client(session) : undefined;
        try {
          const board = await launchTensorBoard({
            job,
            executable,
            ...(client ? { s3: { client, session } } : {}),
            signal,
            onProgress: (message) => err(`${message}\n`),
          });
          out(`TensorBoard for ${job.name}: ${board.url} (on ${board.logdir}; Ctrl+C stops it)\n`);
          const onAbort = () => board.stop();
          signal.addEventListener('abort', onAbort, { once: true });
          const how = await board.exited;
          signal.removeEventListener('abort', onAbort);
          // Ctrl+C once it serves is how this command ends, not an error.
          if (signal.aborted) err('TensorBoard stopped\n');
          else
            throw new UserError(
              `TensorBoard ${how}`,
              `Run ${executable} --logdir ${board.logdir} yourself to see why`,
            );
        } finally {
          client?.destroy();
        }
      });
    },
  );
}

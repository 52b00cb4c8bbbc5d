import type { Command } from 'commander';
import {
  addAwsOptions,
  addTargetOption,
  interruptible,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface LogsFlags extends TargetFlags {
  readonly follow?: boolean;
  readonly timestamps?: boolean;
}

/** `tfod logs <job> [--follow]`: the job's log (CloudWatch on SageMaker); Ctrl+C stops following. */
export function register(program: Command): void {
  const command = program
    .command('logs')
    .description("Print a training job's log; --follow keeps printing until the job ends")
    .argument('<job>', 'training job name')
    .option('-f, --follow', 'keep printing new lines until the job ends (Ctrl+C stops)')
    .option('--timestamps', 'prefix each line with its time');
  addAwsOptions(addTargetOption(command)).action(
    async (job: string, flags: LogsFlags, cmd: Command) => {
      const { out } = output(cmd);
      await withTarget(flags, (target) =>
        interruptible(async (signal) => {
          // Looking the job up first turns a typo into "not found" instead of an empty log.
          await target.describeTrainingJob(job, signal);
          for await (const event of target.tailLogs(job, {
            follow: Boolean(flags.follow),
            signal,
          })) {
            const time = flags.timestamps ? `${new Date(event.timestamp).toISOString()} ` : '';
            out(`${time}${event.message}\n`);
          }
        }).catch((error: unknown) => {
          if ((error as { name?: string }).name === 'CancelledError') return;
          throw error;
        }),
      );
    },
  );
}

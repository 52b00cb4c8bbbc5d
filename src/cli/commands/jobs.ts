import type { Command } from 'commander';
import { elapsedMs, formatDuration } from '../../core/jobs';
import {
  addAwsOptions,
  addTargetOption,
  integer,
  output,
  table,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface JobsFlags extends TargetFlags {
  readonly max: number;
  readonly name?: string;
  readonly json?: boolean;
}

/** `tfod jobs`: the target's training jobs, newest first. */
export function register(program: Command): void {
  const command = program
    .command('jobs')
    .description('List training jobs, newest first')
    .option('-m, --max <n>', 'at most this many', integer('--max'), 20)
    .option('--name <text>', 'only jobs whose name contains this')
    .option('--json', 'print JSON');
  addAwsOptions(addTargetOption(command)).action(async (flags: JobsFlags, cmd: Command) => {
    const { out } = output(cmd);
    const jobs = await withTarget(flags, (target) =>
      target.listTrainingJobs({
        maxResults: flags.max,
        ...(flags.name ? { nameContains: flags.name } : {}),
      }),
    );
    if (flags.json) {
      out(`${JSON.stringify(jobs, null, 2)}\n`);
      return;
    }
    if (!jobs.length) {
      out(`No training jobs on the ${flags.target} target.\n`);
      return;
    }
    out(
      table([
        ['NAME', 'STATUS', 'SECONDARY', 'ELAPSED', 'CREATED'],
        ...jobs.map((job) => [
          job.name,
          job.status,
          job.secondaryStatus ?? '',
          formatDuration(elapsedMs(job)),
          job.creationTime.toISOString(),
        ]),
      ]),
    );
  });
}

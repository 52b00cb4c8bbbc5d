import type { Command } from 'commander';
import {
  elapsedMs,
  formatDuration,
  formatJobTimeCost,
  jobTimeCost,
  type TrainingJobDetails,
} from '../../core/jobs';
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

/** `tfod jobs`: the target's training jobs, newest first; `tfod jobs <job>`: one job in full. */
export function register(program: Command): void {
  const command = program
    .command('jobs [job]')
    .description(
      'List training jobs, newest first; with a job name, describe it (times, billable seconds, spot savings)',
    )
    .option('-m, --max <n>', 'at most this many', integer('--max'), 20)
    .option('--name <text>', 'only jobs whose name contains this')
    .option('--json', 'print JSON');
  addAwsOptions(addTargetOption(command)).action(
    async (job: string | undefined, flags: JobsFlags, cmd: Command) => {
      const { out } = output(cmd);
      if (job) {
        const details = await withTarget(flags, (target) => target.describeTrainingJob(job));
        out(flags.json ? `${JSON.stringify(details, null, 2)}\n` : describeJob(details));
        return;
      }
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
    },
  );
}

/** One job as `name: value` lines; the cost line once SageMaker reports both times. */
export function describeJob(details: TrainingJobDetails, now: Date = new Date()): string {
  const rows: Array<[string, string | number | undefined]> = [
    ['Name', details.name],
    [
      'Status',
      `${details.status}${details.secondaryStatus && details.secondaryStatus !== details.status ? ` (${details.secondaryStatus})` : ''}`,
    ],
    ['Created', details.creationTime.toISOString()],
    ['Elapsed', formatDuration(elapsedMs(details, now))],
    ['Instance', details.instanceType && `${details.instanceCount ?? 1} x ${details.instanceType}`],
    [
      'Capacity',
      details.target === 'sagemaker' ? (details.spot ? 'managed spot' : 'on-demand') : undefined,
    ],
    ['Max wait', details.maxWaitSeconds && formatDuration(details.maxWaitSeconds * 1000)],
    [
      'Training time',
      details.trainingSeconds !== undefined ? `${details.trainingSeconds} s` : undefined,
    ],
    [
      'Billable time',
      details.billableSeconds !== undefined ? `${details.billableSeconds} s` : undefined,
    ],
  ];
  const cost = jobTimeCost(details);
  if (cost) rows.push(['Cost', formatJobTimeCost(cost)]);
  rows.push(
    ['Output', details.outputPath],
    ['Model', details.modelArtifacts],
    ['Checkpoints', details.checkpointsPath],
    ['TensorBoard', details.tensorboardPath],
    ['Failure', details.failureReason],
    ['Id', details.id],
  );
  const shown = rows.filter(
    (row): row is [string, string | number] => row[1] !== undefined && row[1] !== '',
  );
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}\n`).join('');
}

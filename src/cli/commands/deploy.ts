import type { Command } from 'commander';
import { formatDuration, withSuffix } from '../../core/jobs';
import { ENDPOINT_INSTANCE_TYPES } from '../../core/jobs/instanceTypes';
import {
  addAwsOptions,
  addTargetOption,
  integer,
  interruptible,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface DeployFlags extends TargetFlags {
  readonly endpoint?: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly poll: number;
}

/** `tfod deploy <job>`: an endpoint serving the job's model, created or updated in place. */
export function register(program: Command): void {
  const command = program
    .command('deploy')
    .description(
      "Serve a completed training job's model on an endpoint (updated in place when it exists) and wait until InService",
    )
    .argument('<job>', 'completed training job name')
    .option('-e, --endpoint <name>', 'endpoint name (default: <job>-endpoint)')
    .option(
      '--instance-type <type>',
      'endpoint instance type',
      ENDPOINT_INSTANCE_TYPES[0]?.name ?? 'ml.m5.large',
    )
    .option('--instance-count <n>', 'instance count', integer('--instance-count'), 1)
    .option('--poll <seconds>', 'seconds between status checks', integer('--poll'), 15);
  addAwsOptions(addTargetOption(command)).action(
    async (job: string, flags: DeployFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const endpointName = flags.endpoint ?? withSuffix(job, 'endpoint');
      const result = await withTarget(flags, (target) =>
        interruptible((signal) =>
          target.deploy(
            {
              job,
              endpointName,
              instanceType: flags.instanceType,
              instanceCount: flags.instanceCount,
            },
            {
              signal,
              pollIntervalMs: flags.poll * 1000,
              onProgress: (p) =>
                err(
                  `${p.message}${p.elapsedMs !== undefined ? ` (${formatDuration(p.elapsedMs)})` : ''}\n`,
                ),
            },
          ),
        ),
      );
      out(
        `Endpoint ${result.endpoint.name} is ${result.endpoint.status}${result.updated ? ' (updated in place)' : ''}: model ${result.modelName}, config ${result.configName}\n`,
      );
    },
  );
}

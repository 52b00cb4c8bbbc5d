import type { Command } from 'commander';
import {
  DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
  DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
  DEFAULT_SERVERLESS_MAX_CONCURRENCY,
  DEFAULT_SERVERLESS_MEMORY_MB,
  DEFAULT_TARGET_INVOCATIONS,
  describeCapacity,
  formatDuration,
  withSuffix,
} from '../../core/jobs';
import { SAGEMAKER_PRICING_URL } from '../../core/sagemaker/endpointCost';
import { ENDPOINT_INSTANCE_TYPES } from '../../core/jobs/instanceTypes';
import { addCapacityOptions, capacityFromFlags, type CapacityFlags } from './deployCapacity';
import {
  addAwsOptions,
  addTargetOption,
  integer,
  interruptible,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface DeployFlags extends TargetFlags, CapacityFlags {
  readonly endpoint?: string;
  readonly instanceType: string;
  readonly poll: number;
}

const CAPACITY_HELP = `
How a SageMaker endpoint runs, and what it costs (prices by region: ${SAGEMAKER_PRICING_URL}):
  fixed        --instance-count N (default)
               every instance is billed per instance-hour while InService, with or without requests
  autoscaling  --min-instances N --max-instances M [--target-invocations ${DEFAULT_TARGET_INVOCATIONS}]
               billed per instance-hour for the instances running, never fewer than the minimum;
               Application Auto Scaling adds or removes instances to hold the invocations per
               instance per minute (scale-out cooldown ${DEFAULT_SCALE_OUT_COOLDOWN_SECONDS} s, scale-in ${DEFAULT_SCALE_IN_COOLDOWN_SECONDS} s)
  serverless   --serverless [--memory-mb ${DEFAULT_SERVERLESS_MEMORY_MB}] [--max-concurrency ${DEFAULT_SERVERLESS_MAX_CONCURRENCY}]
               no instances: billed for the compute time of each request (by its memory size) and
               the data processed, nothing while idle; the first request after idle waits for a
               cold start; CPU only. An instance endpoint cannot be updated to serverless in place.
Deploying again with a fixed count removes the autoscaling; deleting an endpoint removes it too.
`;

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
    .option('--poll <seconds>', 'seconds between status checks', integer('--poll'), 15)
    .addHelpText('after', CAPACITY_HELP);
  addAwsOptions(addTargetOption(addCapacityOptions(command))).action(
    async (job: string, flags: DeployFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const endpointName = flags.endpoint ?? withSuffix(job, 'endpoint');
      const capacity = capacityFromFlags(
        flags,
        (option) => cmd.getOptionValueSource(option) === 'cli',
        flags.target,
      );
      const result = await withTarget(flags, (target) =>
        interruptible((signal) =>
          target.deploy(
            {
              job,
              endpointName,
              instanceType: flags.instanceType,
              ...capacity,
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
      const runs = describeCapacity(result.endpoint);
      out(
        `Endpoint ${result.endpoint.name} is ${result.endpoint.status}${result.updated ? ' (updated in place)' : ''}: model ${result.modelName}, config ${result.configName}${runs ? `, ${runs}` : ''}\n`,
      );
    },
  );
}

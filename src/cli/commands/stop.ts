import type { Command } from 'commander';
import {
  addAwsOptions,
  addTargetOption,
  output,
  withTarget,
  type TargetFlags,
} from './targetOptions';

/**
 * `tfod stop <name>`: stops a training job the way SageMaker does (SIGTERM, then a kill after 120
 * s on the local target; StopTrainingJob on SageMaker). What the job saved so far is kept.
 */
export function register(program: Command): void {
  const command = program
    .command('stop')
    .description('Stop a training job (SIGTERM, then a kill after 120 s if it does not end)')
    .argument('<name>', 'the job to stop');
  addAwsOptions(addTargetOption(command)).action(
    async (name: string, flags: TargetFlags, cmd: Command) => {
      const { out } = output(cmd);
      await withTarget(flags, (target) => target.stopTrainingJob(name));
      out(`Stopping training job ${name} on ${flags.target}.\n`);
    },
  );
}

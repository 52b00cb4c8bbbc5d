import type { Command } from 'commander';
import {
  addAwsOptions,
  addTargetOption,
  output,
  table,
  withTarget,
  type TargetFlags,
} from './targetOptions';

interface EndpointsFlags extends TargetFlags {
  readonly json?: boolean;
}

/** `tfod endpoints`: the target's endpoints with their status. */
export function register(program: Command): void {
  const command = program
    .command('endpoints')
    .description('List endpoints with their status')
    .option('--json', 'print JSON');
  addAwsOptions(addTargetOption(command)).action(async (flags: EndpointsFlags, cmd: Command) => {
    const { out } = output(cmd);
    const endpoints = await withTarget(flags, (target) => target.listEndpoints());
    if (flags.json) {
      out(`${JSON.stringify(endpoints, null, 2)}\n`);
      return;
    }
    if (!endpoints.length) {
      out(`No endpoints on the ${flags.target} target.\n`);
      return;
    }
    out(
      table([
        ['NAME', 'STATUS', 'CREATED', 'URL'],
        ...endpoints.map((e) => [
          e.name,
          e.status,
          e.creationTime?.toISOString() ?? '',
          e.url ?? '',
        ]),
      ]),
    );
  });
}

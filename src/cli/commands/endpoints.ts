import type { Command } from 'commander';
import { describeCapacity } from '../../core/jobs/endpointCapacity';
import type { EndpointSummary } from '../../core/jobs/types';
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

/** Serverless, autoscaling range with the count now, or the fixed count and type. */
function capacityCell(endpoint: EndpointSummary): string {
  const described = describeCapacity(endpoint);
  if (described) return described;
  if (endpoint.autoscalingUnknown)
    return `${endpoint.instanceCount ?? '?'} instance(s), scaling unknown`;
  if (endpoint.instanceType)
    return `${endpoint.instanceCount ?? 1} × ${endpoint.instanceType}, fixed`;
  return '';
}

/** `tfod endpoints`: the target's endpoints with their status. */
export function register(program: Command): void {
  const command = program
    .command('endpoints')
    .description('List endpoints with their status and capacity (fixed, autoscaling or serverless)')
    .option('--json', 'print JSON');
  addAwsOptions(addTargetOption(command)).action(async (flags: EndpointsFlags, cmd: Command) => {
    const { out } = output(cmd);
    // A listing carries no capacity; each SageMaker endpoint's description (and scaling) does.
    const endpoints = await withTarget(flags, async (target) => {
      const listed = await target.listEndpoints();
      if (flags.target !== 'sagemaker') return listed;
      return Promise.all(
        listed.map((e) => target.describeEndpoint(e.name).catch((): EndpointSummary => e)),
      );
    });
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
        ['NAME', 'STATUS', 'CREATED', 'CAPACITY', 'URL'],
        ...endpoints.map((e) => [
          e.name,
          e.status,
          e.creationTime?.toISOString() ?? '',
          capacityCell(e),
          e.url ?? '',
        ]),
      ]),
    );
  });
}

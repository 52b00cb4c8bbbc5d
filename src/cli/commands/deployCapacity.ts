import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import {
  DEFAULT_SCALE_IN_COOLDOWN_SECONDS,
  DEFAULT_SCALE_OUT_COOLDOWN_SECONDS,
  DEFAULT_SERVERLESS_MAX_CONCURRENCY,
  DEFAULT_SERVERLESS_MEMORY_MB,
  DEFAULT_TARGET_INVOCATIONS,
  SERVERLESS_MEMORY_SIZES_MB,
  endpointAutoscaling,
  endpointCapacityProblems,
} from '../../core/jobs/endpointCapacity';
import type { DeployRequest } from '../../core/jobs/types';
import type { TargetKind } from '../../core/target';
import { integer } from './targetOptions';

/** The flags of `tfod deploy` that say how the endpoint runs. */
export interface CapacityFlags {
  readonly instanceCount: number;
  readonly minInstances?: number;
  readonly maxInstances?: number;
  readonly targetInvocations?: number;
  readonly scaleInCooldown?: number;
  readonly scaleOutCooldown?: number;
  readonly serverless?: boolean;
  readonly memoryMb?: number;
  readonly maxConcurrency?: number;
}

function positiveNumber(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!value.trim() || !Number.isFinite(n) || n <= 0)
      throw new UserError(`${name} must be a number above 0, got '${value}'`);
    return n;
  };
}

export function addCapacityOptions(command: Command): Command {
  return command
    .option(
      '--min-instances <n>',
      'autoscale: at least this many instances (default 1 with --max-instances)',
      integer('--min-instances'),
    )
    .option(
      '--max-instances <n>',
      'autoscale between --min-instances and this many instances on invocations per instance',
      integer('--max-instances'),
    )
    .option(
      '--target-invocations <n>',
      `autoscale: invocations per instance per minute to hold (default ${DEFAULT_TARGET_INVOCATIONS})`,
      positiveNumber('--target-invocations'),
    )
    .option(
      '--scale-in-cooldown <seconds>',
      `autoscale: seconds after a scale-in before the next (default ${DEFAULT_SCALE_IN_COOLDOWN_SECONDS})`,
      integer('--scale-in-cooldown', 0),
    )
    .option(
      '--scale-out-cooldown <seconds>',
      `autoscale: seconds after a scale-out before the next (default ${DEFAULT_SCALE_OUT_COOLDOWN_SECONDS})`,
      integer('--scale-out-cooldown', 0),
    )
    .option(
      '--serverless',
      'serverless inference: no instances, billed per request (for low or irregular traffic)',
    )
    .option(
      '--memory-mb <mb>',
      `serverless: memory, ${SERVERLESS_MEMORY_SIZES_MB.join('/')} (default ${DEFAULT_SERVERLESS_MEMORY_MB})`,
      integer('--memory-mb'),
    )
    .option(
      '--max-concurrency <n>',
      `serverless: concurrent invocations, 1-200 (default ${DEFAULT_SERVERLESS_MAX_CONCURRENCY})`,
      integer('--max-concurrency'),
    );
}

/**
 * The capacity part of the deploy request from the flags, or a UserError naming the flags that do
 * not go together. `given(name)` says whether the user typed an option (not its default).
 */
export function capacityFromFlags(
  flags: CapacityFlags,
  given: (option: 'instanceType' | 'instanceCount') => boolean,
  target: TargetKind,
): Pick<DeployRequest, 'instanceCount' | 'autoscaling' | 'serverless'> {
  const problems: string[] = [];
  const scaled = flags.minInstances !== undefined || flags.maxInstances !== undefined;
  const tuning = [
    ['--target-invocations', flags.targetInvocations],
    ['--scale-in-cooldown', flags.scaleInCooldown],
    ['--scale-out-cooldown', flags.scaleOutCooldown],
  ].filter(([, value]) => value !== undefined);
  if (!scaled && tuning.length)
    problems.push(
      `${tuning.map(([name]) => name).join(', ')} ${tuning.length > 1 ? 'tune' : 'tunes'} autoscaling: give --max-instances too`,
    );
  if (flags.minInstances !== undefined && flags.maxInstances === undefined)
    problems.push('--min-instances needs --max-instances (the most instances to scale out to)');
  const serverlessOnly = [
    ['--memory-mb', flags.memoryMb],
    ['--max-concurrency', flags.maxConcurrency],
  ].filter(([, value]) => value !== undefined);
  if (!flags.serverless && serverlessOnly.length)
    problems.push(
      `${serverlessOnly.map(([name]) => name).join(' and ')} ${serverlessOnly.length > 1 ? 'go' : 'goes'} with --serverless`,
    );
  if (flags.serverless) {
    const instanceFlags = (['instanceType', 'instanceCount'] as const)
      .filter(given)
      .map((name) => (name === 'instanceType' ? '--instance-type' : '--instance-count'));
    if (instanceFlags.length)
      problems.push(
        `${instanceFlags.join(' and ')} ${instanceFlags.length > 1 ? 'are' : 'is'} for instance endpoints; a --serverless endpoint has no instances`,
      );
  }
  if (problems.length) throw new UserError(problems.join('; '), 'See tfod deploy --help');

  const minInstances = flags.minInstances ?? 1;
  const request = {
    instanceCount: scaled && !given('instanceCount') ? minInstances : flags.instanceCount,
    ...(scaled && flags.maxInstances !== undefined
      ? {
          autoscaling: endpointAutoscaling(
            { minInstances, maxInstances: flags.maxInstances },
            {
              ...(flags.targetInvocations !== undefined
                ? { targetInvocations: flags.targetInvocations }
                : {}),
              ...(flags.scaleInCooldown !== undefined
                ? { scaleInCooldownSeconds: flags.scaleInCooldown }
                : {}),
              ...(flags.scaleOutCooldown !== undefined
                ? { scaleOutCooldownSeconds: flags.scaleOutCooldown }
                : {}),
            },
          ),
        }
      : {}),
    ...(flags.serverless
      ? {
          serverless: {
            memoryMb: flags.memoryMb ?? DEFAULT_SERVERLESS_MEMORY_MB,
            maxConcurrency: flags.maxConcurrency ?? DEFAULT_SERVERLESS_MAX_CONCURRENCY,
          },
        }
      : {}),
  };
  const refused = endpointCapacityProblems(request, target);
  if (refused.length)
    throw new UserError(
      refused.join('; '),
      target === 'sagemaker'
        ? 'See tfod deploy --help'
        : 'Drop those options, or use --target sagemaker',
    );
  return request;
}

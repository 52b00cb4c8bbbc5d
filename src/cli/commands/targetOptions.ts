import { Option, type Command } from 'commander';
import type { AwsSessionOptions } from '../../core/aws/session';
import { CancelledError, UserError } from '../../core/errors';
import type { Target } from '../../core/jobs';
import { LocalTarget } from '../../core/local';
import { SageMakerTarget } from '../../core/sagemaker';
import { DEFAULT_TARGET, parseTarget, TARGET_KINDS, type TargetKind } from '../../core/target';

/**
 * What every jobs and endpoints subcommand shares: `--target local|sagemaker` (default local),
 * the AWS profile and region, output through commander's writers, Ctrl+C as an AbortSignal.
 */
export interface AwsFlags {
  readonly awsProfile?: string;
  readonly region?: string;
}

export interface TargetFlags extends AwsFlags {
  readonly target: TargetKind;
}

export function addTargetOption(command: Command): Command {
  return command.addOption(
    new Option(
      '-t, --target <target>',
      `where jobs and endpoints run (${TARGET_KINDS.join(' or ')})`,
    )
      .default(DEFAULT_TARGET)
      .argParser((value: string) => parseTarget(value, '--target')),
  );
}

export function addAwsOptions(command: Command): Command {
  return command
    .option('--aws-profile <name>', 'AWS profile (default: the SDK chain, AWS_PROFILE)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile’s)');
}

export function awsSession(flags: AwsFlags): AwsSessionOptions {
  return { profile: flags.awsProfile, region: flags.region };
}

/** The local target keeps its jobs under <workspace>/.tfod: the current folder, as for git. */
export function localWorkspace(): string {
  return process.cwd();
}

/** The target of `--target`; the caller disposes it. */
export function openTarget(flags: TargetFlags): Target & { dispose(): void } {
  if (flags.target === 'sagemaker') return new SageMakerTarget({ session: awsSession(flags) });
  return new LocalTarget({ workspace: localWorkspace() });
}

/** Runs `work` with the target, disposing it afterwards. */
export async function withTarget<T>(
  flags: TargetFlags,
  work: (target: Target) => Promise<T>,
): Promise<T> {
  const target = openTarget(flags);
  try {
    return await work(target);
  } finally {
    target.dispose();
  }
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export function output(command: Command): Output {
  const config = command.configureOutput();
  return {
    out: (text) => config.writeOut?.(text),
    err: (text) => config.writeErr?.(text),
  };
}

/** An AbortSignal that Ctrl+C (SIGINT) aborts while `work` runs. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw new CancelledError();
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** Parses `--tf <1|2>`: the TensorFlow major version of the training image. */
export function tfVersion(value: string): 1 | 2 {
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw new UserError(`--tf must be 1 or 2, got '${value}'`);
}

/** Fixed-width columns for listings. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n')
    .concat('\n');
}

export function integer(name: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min)
      throw new UserError(`${name} must be a whole number of at least ${min}, got '${value}'`);
    return n;
  };
}

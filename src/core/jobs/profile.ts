import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../errors';
import type { TargetKind } from '../target';
import { parseHyperparameters, toSageMakerHyperparameters } from '../training/hyperparameters';
import { TRAINING_INSTANCE_TYPES } from './instanceTypes';
import { generateJobName, resourceNameProblem } from './names';
import type { TrainingJobSpec } from './types';

/**
 * A saved job profile (`.tfod/job.json` in the workspace): the settings of a training job without
 * its name, so the palette and `tfod train --profile` start the same job again under a fresh name.
 * Hyperparameters are written as SageMaker receives them (`num_steps`, `quantize`, ...).
 */
export const JOB_PROFILE_PATH = '.tfod/job.json';

export const JOB_DEFAULTS = {
  instanceType: TRAINING_INSTANCE_TYPES[0]?.name ?? 'ml.p3.2xlarge',
  instanceCount: 1,
  volumeSizeGb: 50,
  maxRuntimeSeconds: 24 * 3600,
} as const;

export interface JobProfile {
  readonly name?: string;
  readonly namePrefix?: string;
  readonly image?: string;
  readonly roleArn?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly volumeSizeGb?: number;
  readonly maxRuntimeSeconds?: number;
  readonly outputPath?: string;
  readonly hyperparameters?: Readonly<Record<string, unknown>>;
  readonly channels?: { readonly training?: string; readonly checkpoint?: string };
  readonly tags?: Readonly<Record<string, string>>;
  readonly spot?: boolean;
  readonly maxWaitSeconds?: number;
  readonly checkpointsPath?: string;
  readonly tensorboardPath?: string;
}

export const KNOWN_KEYS = new Set([
  'name',
  'namePrefix',
  'image',
  'roleArn',
  'instanceType',
  'instanceCount',
  'volumeSizeGb',
  'maxRuntimeSeconds',
  'outputPath',
  'hyperparameters',
  'channels',
  'tags',
  'spot',
  'maxWaitSeconds',
  'checkpointsPath',
  'tensorboardPath',
]);

/**
 * A spec from a profile (and flags laid over it): shape problems are one UserError naming the
 * source; the values themselves are checked by validateTrainingJobSpec when the job starts.
 */
/** How a profile is read for a target: the local target needs no role and has a default output. */
export interface ProfileOptions {
  readonly target?: TargetKind;
  /** Local target: relative channel and output paths are resolved against this folder. */
  readonly baseDir?: string;
  /** Local target: where jobs go when the profile names no outputPath. */
  readonly defaultOutputPath?: string;
}

export function specFromProfile(
  raw: unknown,
  source: string,
  now: Date = new Date(),
  options: ProfileOptions = {},
): TrainingJobSpec {
  const local = options.target === 'local';
  const localPath = (path: string | undefined): string | undefined =>
    local && path && options.baseDir ? resolve(options.baseDir, path) : path;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UserError(`${source} is not a JSON object`, `Write it as in ${JOB_PROFILE_PATH}`);
  const profile = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(profile))
    if (!KNOWN_KEYS.has(key)) problems.push(`unknown field '${key}'`);
  const text = (key: string): string | undefined => {
    const value = profile[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') problems.push(`'${key}' must be a string`);
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const number = (key: string): number | undefined => {
    const value = profile[key];
    if (value === undefined || value === null) return undefined;
    const parsed = typeof value === 'string' ? Number(value) : value;
    if (typeof parsed !== 'number' || Number.isNaN(parsed)) {
      problems.push(`'${key}' must be a number`);
      return undefined;
    }
    return parsed;
  };
  const channels = (profile.channels ?? {}) as Record<string, unknown>;
  if (typeof channels !== 'object' || Array.isArray(channels))
    problems.push("'channels' must be an object with 'training' and 'checkpoint'");
  const hyper = parseHyperparameters(profile.hyperparameters ?? {});
  const name = text('name');
  const prefix = text('namePrefix');
  const image = text('image');
  const roleArn = text('roleArn');
  const outputPath =
    localPath(text('outputPath')) ?? (local ? options.defaultOutputPath : undefined);
  const training = localPath(
    typeof channels.training === 'string' ? channels.training.trim() : undefined,
  );
  const checkpoint = localPath(
    typeof channels.checkpoint === 'string' && channels.checkpoint.trim()
      ? channels.checkpoint.trim()
      : undefined,
  );
  if (!image) problems.push("'image' is missing");
  if (!roleArn && !local) problems.push("'roleArn' is missing");
  if (!outputPath) problems.push("'outputPath' is missing");
  if (!training) problems.push("'channels.training' is missing");
  if (name) {
    const problem = resourceNameProblem(name);
    if (problem) problems.push(problem);
  }
  for (const problem of hyper.problems)
    if (problem.severity === 'error') problems.push(problem.message);
  const tags = profile.tags;
  if (
    tags !== undefined &&
    (tags === null ||
      typeof tags !== 'object' ||
      Object.values(tags).some((v) => typeof v !== 'string'))
  )
    problems.push("'tags' must be an object of strings");
  const instanceType = text('instanceType');
  const instanceCount = number('instanceCount');
  const volumeSizeGb = number('volumeSizeGb');
  const maxRuntimeSeconds = number('maxRuntimeSeconds');
  const maxWaitSeconds = number('maxWaitSeconds');
  const checkpointsPath = text('checkpointsPath');
  const tensorboardPath = text('tensorboardPath');
  const spotValue = profile.spot;
  let spot: boolean | undefined;
  if (spotValue === true || spotValue === 'true') spot = true;
  else if (spotValue === false || spotValue === 'false') spot = false;
  else if (spotValue !== undefined && spotValue !== null)
    problems.push("'spot' must be true or false");
  if (problems.length)
    throw new UserError(
      `${source} is not a usable job profile: ${problems.join('; ')}`,
      `Correct ${source} (fields: ${[...KNOWN_KEYS].join(', ')})`,
    );
  return {
    name: name || generateJobName(now, prefix || 'tfod'),
    image: image ?? '',
    roleArn: roleArn ?? '',
    instanceType: instanceType || JOB_DEFAULTS.instanceType,
    instanceCount: instanceCount ?? JOB_DEFAULTS.instanceCount,
    volumeSizeGb: volumeSizeGb ?? JOB_DEFAULTS.volumeSizeGb,
    maxRuntimeSeconds: maxRuntimeSeconds ?? JOB_DEFAULTS.maxRuntimeSeconds,
    outputPath: outputPath ?? '',
    hyperparameters: hyper.value,
    channels: { training: training ?? '', ...(checkpoint ? { checkpoint } : {}) },
    ...(tags ? { tags: tags as Record<string, string> } : {}),
    ...(spot ? { spot } : {}),
    ...(maxWaitSeconds !== undefined ? { maxWaitSeconds } : {}),
    ...(checkpointsPath ? { checkpointsPath } : {}),
    ...(tensorboardPath ? { tensorboardPath } : {}),
  };
}

/** The profile to save for a spec: everything but the name, which each start generates. */
export function profileFromSpec(spec: TrainingJobSpec): JobProfile {
  return {
    image: spec.image,
    roleArn: spec.roleArn,
    instanceType: spec.instanceType,
    instanceCount: spec.instanceCount,
    volumeSizeGb: spec.volumeSizeGb,
    maxRuntimeSeconds: spec.maxRuntimeSeconds,
    outputPath: spec.outputPath,
    hyperparameters: toSageMakerHyperparameters(spec.hyperparameters),
    channels: spec.channels,
    ...(spec.tags && Object.keys(spec.tags).length ? { tags: spec.tags } : {}),
    ...(spec.spot ? { spot: true } : {}),
    ...(spec.maxWaitSeconds !== undefined ? { maxWaitSeconds: spec.maxWaitSeconds } : {}),
    ...(spec.checkpointsPath ? { checkpointsPath: spec.checkpointsPath } : {}),
    ...(spec.tensorboardPath ? { tensorboardPath: spec.tensorboardPath } : {}),
  };
}

/** Reads a profile file; `overrides` (CLI flags) win over its fields. */
export async function readJobProfile(
  path: string,
  overrides: JobProfile = {},
  now: Date = new Date(),
  options: ProfileOptions = {},
): Promise<TrainingJobSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code
        ? `cannot read the job profile ${path} (${code})`
        : `the job profile ${path} is not valid JSON (${(error as Error).message})`,
      code ? 'Give the path of an existing .tfod/job.json' : 'Correct the JSON',
      { cause: error },
    );
  }
  return specFromProfile(mergeProfiles(raw, overrides), path, now, options);
}

export function mergeProfiles(base: unknown, overrides: JobProfile): unknown {
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return base;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if ((key === 'channels' || key === 'hyperparameters' || key === 'tags') && merged[key])
      merged[key] = { ...(merged[key] as object), ...(value as object) };
    else merged[key] = value;
  }
  return merged;
}

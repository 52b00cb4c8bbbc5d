import { isAbsolute, join, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from '../aws/session';
import { CancelledError, errorMessage, UserError } from '../errors';
import { localPath } from '../local/layout';
import { readS3TrainingChannel } from '../s3/trainingChannel';
import type { TargetKind } from '../target';
import { configProblems, folderChannel, type ConfigProblem } from '../training/configCheck';
import { describeTrainingFiles, listFiles } from '../training/resources';
import type { TrainingJobSpec } from './types';

// Before a training job starts, the pipeline config and label map of its training channel are
// checked as the upload checks them (core/training/configCheck.ts): a job that would fail on its
// config, a template placeholder left in it above all, is refused before it costs anything.

export interface TrainingDataCheck {
  /** Errors the job would fail on: it must not start. */
  readonly problems: readonly ConfigProblem[];
  /** What could not be checked, and why: the job starts anyway. */
  readonly warnings: readonly string[];
}

export interface TrainingDataCheckOptions {
  readonly target: TargetKind;
  /** Local: files below this folder (the working folder, the workspace) are named relative to it. */
  readonly base?: string | undefined;
  /** SageMaker: the client that reads the training channel's S3 prefix. */
  readonly s3?: S3Client | undefined;
  readonly session?: AwsSessionOptions | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Checks the training channel of a valid spec: a folder on the local target, an S3 prefix on
 * SageMaker. A folder that cannot be listed is left to the target to report; an S3 prefix that
 * cannot be read is a warning (the job may still have the rights the user lacks).
 */
export async function checkTrainingData(
  spec: TrainingJobSpec,
  options: TrainingDataCheckOptions,
): Promise<TrainingDataCheck> {
  const uri = spec.channels.training;
  if (options.target === 'local') {
    const folder = localPath(uri);
    let files: string[];
    try {
      files = await listFiles(folder);
    } catch {
      return { problems: [], warnings: [] };
    }
    const display = (file: string) => shownPath(join(folder, file), options.base);
    const problems = await configProblems(
      folderChannel(folder, display),
      describeTrainingFiles(files),
      (file) =>
        `Fix ${file} (the editor underlines the errors; \`tfod validate --for-training ${file}\` lists them) and start the job again`,
    );
    return { problems, warnings: [] };
  }
  if (!options.s3)
    return { problems: [], warnings: [`${uri} was not checked: no S3 client to read it with`] };
  let read;
  try {
    read = await readS3TrainingChannel(options.s3, uri, {
      signal: options.signal,
      ...(options.session ? { session: options.session } : {}),
    });
  } catch (error) {
    if (error instanceof CancelledError || options.signal?.aborted) throw new CancelledError();
    return {
      problems: [],
      warnings: [
        `the training data's pipeline.config was not checked before the job starts: ${errorMessage(error)}`,
      ],
    };
  }
  if (!read.training.pipelineConfigs[0])
    return {
      problems: [],
      warnings: [
        `${uri} holds no pipeline config (pipeline.config or another *.config): the job fails unless it is uploaded before the job starts`,
      ],
    };
  const problems = await configProblems(
    read.channel,
    read.training,
    (file) =>
      `Fix the file you uploaded as ${file} (the editor underlines the errors; \`tfod validate --for-training\` lists them), upload it again and start the job again`,
  );
  return { problems, warnings: [] };
}

/** The refusal to start a job whose training data has errors: every problem, and what to do. */
export function trainingDataError(spec: TrainingJobSpec, check: TrainingDataCheck): UserError {
  const listed = check.problems.map((p) => p.message.replace(/\.$/, '')).join('; ');
  const fixes = [...new Set(check.problems.map((p) => p.fix))].join('; ');
  return new UserError(`cannot start training job '${spec.name}': ${listed}`, fixes);
}

/** A path as typed below `base`, else absolute. */
function shownPath(path: string, base: string | undefined): string {
  if (!base) return path;
  const rel = relative(base, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

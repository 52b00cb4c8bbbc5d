import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors';
import type { Target } from './jobs';

/**
 * What `tfod predict --model`, `tfod serve --model` and the preview accept as a model, made into a
 * path on this machine: a model folder or a model.tar.gz as they are; the s3:// URI of a
 * model.tar.gz, downloaded; or a training job's name, whose model artifact (a local job's
 * model.tar.gz, or SageMaker's S3ModelArtifacts, downloaded) is used.
 */
export interface ModelOnDisk {
  /** A model folder or a model.tar.gz. */
  readonly path: string;
  /** What the user named, for messages: "job my-job (s3://…/model.tar.gz)". */
  readonly origin: string;
  /** Removes what was downloaded; a no-op for paths the user gave. */
  readonly cleanup: () => Promise<void>;
}

export interface ModelArgumentOptions {
  /** The target that knows the job names (opened only when the argument is one). */
  readonly target: () => Target & { dispose?(): void };
  /** Downloads an s3:// object into a folder and returns the file's path. */
  readonly download: (uri: string, folder: string, signal?: AbortSignal) => Promise<string>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/** A value that names a file: absolute, relative with a separator, file://, or a Windows path. */
export function looksLikePath(value: string): boolean {
  return (
    value.startsWith('file://') ||
    /^[a-zA-Z]:[\\/]/.test(value) ||
    value.includes('/') ||
    value.includes('\\') ||
    /\.(tar\.gz|tgz|json)$/i.test(value) ||
    value === '.' ||
    value === '..'
  );
}

export async function resolveModelArgument(
  value: string,
  options: ModelArgumentOptions,
): Promise<ModelOnDisk> {
  const text = value.trim();
  if (!text)
    throw new UserError(
      'no model was given',
      'Name a model folder, a model.tar.gz, its s3:// URI, or a training job',
    );
  if (/^s3:\/\//i.test(text)) return downloaded(text, text, options);
  if (text.startsWith('file://')) return asGiven(fileURLToPath(text));
  // A folder or file of that name wins over a job of that name: it is what the user sees.
  if (looksLikePath(text) || (await exists(text))) return asGiven(resolve(text));
  return fromJob(text, options);
}

async function fromJob(name: string, options: ModelArgumentOptions): Promise<ModelOnDisk> {
  const target = options.target();
  let artifact: string | undefined;
  let status: string;
  try {
    const job = await target.describeTrainingJob(name, options.signal);
    artifact = job.modelArtifacts;
    status = job.status;
  } catch (error) {
    if (error instanceof UserError)
      throw new UserError(
        `'${name}' is not a model folder or file here, nor a training job: ${error.message}`,
        'Name a model folder, a model.tar.gz, its s3:// URI, or a training job on --target',
        { cause: error },
      );
    throw error;
  } finally {
    target.dispose?.();
  }
  if (!artifact) {
    const running = status === 'InProgress' || status === 'Stopping';
    throw new UserError(
      `training job '${name}' has no model${running ? ' yet' : ''} (it is ${status})`,
      running
        ? 'Wait for it to complete (tfod logs --follow shows its progress)'
        : 'Use a job that Completed; tfod jobs lists them',
    );
  }
  const origin = `job ${name} (${artifact})`;
  if (/^s3:\/\//i.test(artifact)) return downloaded(artifact, origin, options);
  return {
    ...(await asGiven(artifact.startsWith('file://') ? fileURLToPath(artifact) : artifact)),
    origin,
  };
}

async function downloaded(
  uri: string,
  origin: string,
  options: ModelArgumentOptions,
): Promise<ModelOnDisk> {
  const folder = await mkdtemp(join(tmpdir(), 'tfod-model-'));
  const cleanup = () => rm(folder, { recursive: true, force: true });
  try {
    options.onProgress?.(`Downloading ${uri}`);
    const path = await options.download(uri, folder, options.signal);
    return { path, origin, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function asGiven(path: string): Promise<ModelOnDisk> {
  return { path, origin: path, cleanup: async () => undefined };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

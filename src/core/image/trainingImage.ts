import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../errors';
import type { TargetKind } from '../target';
import { ARCHITECTURES, DEFAULT_ARCHITECTURE, imageBuildArgs } from './architecture';
import { buildImage, formatBytes, type BuildProgress, type BuildResult } from './build';

/**
 * The training image on this machine's Docker engine, as the palette's "Build Training Image" and
 * `tfod build` make it: built from container/ with no AWS call. Pushing it to ECR is a step of
 * its own, for the sagemaker target only.
 */

/** The repository name of locally built images: `tfod-sagemaker:<architecture>`. */
export const LOCAL_IMAGE_REPOSITORY = 'tfod-sagemaker';

export const DOCKERFILE = 'container/Dockerfile';

/** The local image name for an ARCHITECTURE tag. */
export function localImageName(architecture: string): string {
  return `${LOCAL_IMAGE_REPOSITORY}:${architecture}`;
}

/** What is wrong with a Docker image reference, or undefined. */
export function imageReferenceProblem(value: string): string | undefined {
  if (!value.trim()) return 'Give an image name, e.g. tfod-sagemaker:2.9.1';
  return /^[\w.\-/:@]+$/.test(value.trim())
    ? undefined
    : 'A Docker image reference: letters, digits and . _ - / : @, e.g. tfod-sagemaker:2.9.1';
}

/** One line of progress for a build: the context being sent, or the Dockerfile step it is at. */
export function buildProgressMessage(progress: BuildProgress): string {
  if (progress.phase === 'context')
    return `sending build context${progress.contextBytes ? ` (${formatBytes(progress.contextBytes)})` : ''}`;
  return `build step ${progress.step}/${progress.totalSteps}: ${progress.instruction ?? ''}`.slice(
    0,
    120,
  );
}

/**
 * The ARCHITECTURE offered first: a CPU image for the local target (Docker on this machine seldom
 * has a GPU it can hand to containers), the GPU image for SageMaker's GPU instances.
 */
export function defaultArchitecture(target: TargetKind): string {
  if (target === 'sagemaker') return DEFAULT_ARCHITECTURE;
  return ARCHITECTURES.find((a) => !a.gpu && a.tensorflow === '2.9.1')?.tag ?? DEFAULT_ARCHITECTURE;
}

/**
 * The first folder that holds container/Dockerfile: the workspace folders first (a checkout of
 * this repository, or a project with its own copy), then the extension's own folder, which the
 * .vsix ships with the image's build context.
 */
export async function findBuildContext(candidates: readonly string[]): Promise<string> {
  for (const folder of candidates) {
    const info = await stat(join(folder, DOCKERFILE)).catch(() => undefined);
    if (info?.isFile()) return folder;
  }
  throw new UserError(
    `no ${DOCKERFILE} to build the training image from (looked in ${candidates.join(', ') || 'no folder'})`,
    'Reinstall the extension (its package carries container/), or open a folder that holds container/Dockerfile',
  );
}

export interface TrainingImageBuild {
  readonly docker: Docker;
  /** Folders to look for container/Dockerfile in, in order (findBuildContext). */
  readonly candidates: readonly string[];
  readonly architecture: string;
  /** The image name; default `tfod-sagemaker:<architecture>`. */
  readonly tag?: string | undefined;
  /** Build arguments over the ARCHITECTURE's own (tfod.image.buildArgs), e.g. BASE_IMAGE. */
  readonly buildArgs?: Readonly<Record<string, string>> | undefined;
  /** PEM files of certificate authorities the build trusts (tfod.image.caCertificates). */
  readonly caCertificates?: readonly string[] | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onLog?: ((line: string) => void) | undefined;
  readonly onProgress?: ((progress: BuildProgress) => void) | undefined;
}

/** Builds the training image on the Docker engine; nothing here talks to AWS. */
export async function buildTrainingImage(
  options: TrainingImageBuild,
): Promise<BuildResult & { readonly contextDir: string }> {
  const contextDir = await findBuildContext(options.candidates);
  const tag = options.tag ?? localImageName(options.architecture);
  const buildArgs = imageBuildArgs(options.architecture, options.buildArgs);
  const shown = Object.entries(buildArgs).map(([name, value]) => `${name}=${value}`);
  options.onLog?.(`building ${tag} (${shown.join(' ')}) from ${contextDir}`);
  const result = await buildImage({
    docker: options.docker,
    contextDir,
    dockerfile: DOCKERFILE,
    buildArgs,
    caCertificates: options.caCertificates,
    tag,
    signal: options.signal,
    onLog: options.onLog,
    onProgress: options.onProgress,
  });
  return { ...result, contextDir };
}

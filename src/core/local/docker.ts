import type Docker from 'dockerode';
import { dockerEndpoint, DockerUnreachableError, isUnreachableCode } from '../docker/engine';
import { UserError } from '../errors';
import { ARCHITECTURES } from '../image/architecture';

/**
 * The Docker details of the local target: which images want a GPU and whether the engine can give
 * one, and Docker's errors in the user's words.
 */

/** The image's tag: `tfod:2.9.1-gpu` -> `2.9.1-gpu` (none for a digest or a bare name). */
export function imageTag(image: string): string {
  return /:([^:/@]+)$/.exec(image)?.[1]?.toLowerCase() ?? '';
}

/** A GPU build: one of the image's GPU architectures, or any tag that says `gpu`. */
export function isGpuImage(image: string): boolean {
  const tag = imageTag(image);
  const known = ARCHITECTURES.find((architecture) => architecture.tag === tag.replace(/-py3$/, ''));
  return known ? known.gpu : /(^|[^a-z])gpu([^a-z]|$)/.test(tag);
}

/** What `docker info` says about GPUs: the NVIDIA runtime is registered with the engine. */
export function engineHasGpu(info: { Runtimes?: Record<string, unknown> | undefined }): boolean {
  return Object.keys(info.Runtimes ?? {}).some((name) => name.toLowerCase().includes('nvidia'));
}

/**
 * `--gpus all` as the Engine API spells it, for a GPU image on an engine that has the NVIDIA
 * runtime; nothing for a CPU image; a UserError naming both ways out when the image wants a GPU
 * the engine cannot give.
 */
export function gpuDeviceRequests(
  image: string,
  info: { Runtimes?: Record<string, unknown> | undefined },
  endpoint: string = dockerEndpoint(),
): Docker.DeviceRequest[] {
  if (!isGpuImage(image)) return [];
  if (!engineHasGpu(info)) {
    const cpu = ARCHITECTURES.find((a) => !a.gpu)?.tag ?? '2.9.1';
    throw new UserError(
      `the image '${image}' is a GPU build, but the Docker engine at ${endpoint} has no NVIDIA runtime, so its containers cannot use a GPU`,
      `Use the CPU image (build it with the ARCHITECTURE '${cpu}' and pick that tag), or install the NVIDIA Container Toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/) and restart Docker`,
    );
  }
  return [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }];
}

interface DockerError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly json?: { message?: string } | null;
  readonly message?: string;
  readonly reason?: string;
}

/** Docker's own message for a failed API call. */
export function dockerMessage(error: unknown): string {
  const e = error as DockerError;
  return (e.json?.message ?? e.message ?? String(error)).trim().replace(/^\(HTTP code \d+\) /, '');
}

export function isNotFound(error: unknown): boolean {
  return (error as DockerError).statusCode === 404;
}

/**
 * Turns what Docker answered into something a person can act on: no engine, a missing image, a
 * folder that cannot be shared with Docker. Anything else is returned unchanged (a bug).
 */
export function explainDockerError(error: unknown, image?: string): unknown {
  if (error instanceof UserError) return error;
  const e = error as DockerError;
  if (isUnreachableCode(e.code))
    return new DockerUnreachableError(dockerEndpoint(), e.code, { cause: error });
  const message = dockerMessage(error);
  if (e.statusCode === 404 && image && /no such image/i.test(message)) {
    return new UserError(
      `the image '${image}' is not on this machine's Docker engine`,
      'Build it first (Object Detection: Build Training Image, or `tfod build`), or pick an image that `docker images` lists',
      { cause: error },
    );
  }
  if (
    /mounts denied|not shared from the host|invalid mount config|bind source path does not exist/i.test(
      message,
    )
  ) {
    return new UserError(
      `Docker cannot mount a folder of the job: ${message}`,
      'Share the workspace and data folders with Docker (Docker Desktop: Settings > Resources > File sharing)',
      { cause: error },
    );
  }
  if (/port is already allocated|address already in use/i.test(message)) {
    return new UserError(
      `Docker cannot publish the endpoint's port: ${message}`,
      'Stop whatever uses that port, or serve again to get another free port',
      { cause: error },
    );
  }
  return error;
}

/** Runs a Docker call, translating its errors. */
export async function docker<T>(run: () => Promise<T>, image?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw explainDockerError(error, image);
  }
}

import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { explainEngineError, splitImageName } from './build';
import { eventError, readDockerStream, type DockerStreamEvent } from './dockerStream';

export interface LayerState {
  readonly id: string;
  readonly status: string;
  readonly current: number;
  readonly total: number | undefined;
  readonly done: boolean;
}

export interface PushSnapshot {
  readonly layers: readonly LayerState[];
  readonly layersDone: number;
  /** Bytes sent so far, over the layers whose size is known. */
  readonly currentBytes: number;
  readonly totalBytes: number;
  /** The last status line (for a notification's message). */
  readonly status: string;
}

const DONE = /^(Pushed|Layer already exists|Mounted from .*|Already exists)$/;

/**
 * Folds the engine's push events into one picture: layer id -> status, current and total bytes.
 * A layer that finished reports no bytes; its last known total is kept as sent.
 */
export class PushProgress {
  private readonly layers = new Map<string, LayerState>();
  private status = '';

  update(event: DockerStreamEvent): PushSnapshot {
    if (event.id && event.status && !/^(latest|[\w.-]+): digest:/.test(event.status)) {
      const previous = this.layers.get(event.id);
      const done = DONE.test(event.status);
      const total = event.progressDetail?.total ?? previous?.total;
      const current = done
        ? (total ?? previous?.current ?? 0)
        : (event.progressDetail?.current ?? previous?.current ?? 0);
      this.layers.set(event.id, { id: event.id, status: event.status, current, total, done });
      this.status = `${event.id}: ${event.status}`;
    } else if (event.status) {
      this.status = event.status;
    }
    return this.snapshot();
  }

  snapshot(): PushSnapshot {
    const layers = [...this.layers.values()];
    return {
      layers,
      layersDone: layers.filter((l) => l.done).length,
      currentBytes: layers.reduce((sum, l) => sum + (l.total !== undefined ? l.current : 0), 0),
      totalBytes: layers.reduce((sum, l) => sum + (l.total ?? 0), 0),
      status: this.status,
    };
  }
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serverAddress: string;
}

export interface PushOptions {
  readonly docker: Docker;
  /** Full name with registry host and tag: `<host>/<repo>:<tag>`. */
  readonly image: string;
  readonly auth: RegistryAuth;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((snapshot: PushSnapshot) => void) | undefined;
  /** Status lines (never credentials). */
  readonly onLog?: ((line: string) => void) | undefined;
}

export interface PushResult {
  readonly image: string;
  readonly digest: string;
  readonly size: number | undefined;
}

/**
 * Pushes an image with registry credentials passed to the engine per request (X-Registry-Auth),
 * never stored in Docker's config. Per-layer progress goes to `onProgress`; error events of the
 * stream become UserErrors that say what to do (an expired or refused login: log in again).
 */
export async function pushImage(options: PushOptions): Promise<PushResult> {
  const { repo, tag } = splitImageName(options.image);
  const host = repo.split('/')[0] ?? '';
  const signal = options.signal;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await options.docker.getImage(options.image).push({
      tag,
      authconfig: {
        username: options.auth.username,
        password: options.auth.password,
        serveraddress: options.auth.serverAddress,
      },
      ...(signal ? { abortSignal: signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    if ((error as { statusCode?: number }).statusCode === 404)
      throw new UserError(`image ${options.image} does not exist here`, 'Build the image first', {
        cause: error,
      });
    throw explainEngineError(error, `pushing ${options.image}`);
  }
  const progress = new PushProgress();
  let digest = '';
  let size: number | undefined;
  let failure: string | undefined;
  await readDockerStream(
    stream,
    (event) => {
      const error = eventError(event);
      if (error) {
        failure = error;
        return;
      }
      const aux = event.aux as { Digest?: string; Size?: number } | undefined;
      if (aux?.Digest) {
        digest = aux.Digest;
        size = aux.Size;
      }
      const announced = /digest: (sha256:[0-9a-f]{64})/.exec(event.status ?? '');
      if (announced && !digest) digest = announced[1] ?? '';
      const snapshot = progress.update(event);
      if (event.status && !/^(Pushing|Waiting|Preparing)$/.test(event.status))
        options.onLog?.(snapshot.status);
      options.onProgress?.(snapshot);
    },
    signal,
  );
  if (failure !== undefined) throw pushFailure(failure, host, options.image);
  if (!digest) throw new Error(`the push of ${options.image} ended without a digest`);
  return { image: options.image, digest, size };
}

/** What a push error event means for the user. */
export function pushFailure(message: string, host: string, image: string): UserError {
  const text = message.trim();
  if (
    /unauthorized|authentication required|no basic auth credentials|authorization token has expired|access.*denied|denied:/i.test(
      text,
    )
  )
    return new UserError(
      `the registry ${host} refused the push of ${image} (${text})`,
      'Log in again (an ECR login lasts 12 hours: run build and push again) and check that your AWS identity may push to this repository',
    );
  if (/does not exist locally|no such image/i.test(text))
    return new UserError(`image ${image} does not exist here (${text})`, 'Build the image first');
  if (/name unknown|repository .*(not found|does not exist)|NAME_UNKNOWN/i.test(text))
    return new UserError(
      `the repository of ${image} does not exist in ${host} (${text})`,
      'Create the ECR repository first (build and push does it when the repository is missing)',
    );
  if (/server gave HTTP response to HTTPS client/i.test(text))
    return new UserError(
      `the registry ${host} speaks plain HTTP (${text})`,
      `Add ${host} to the Docker engine's insecure-registries`,
    );
  if (
    /connection refused|no such host|i\/o timeout|dial tcp|TLS handshake timeout|connection reset/i.test(
      text,
    )
  )
    return new UserError(
      `cannot reach the registry ${host} (${text})`,
      'Check the network or proxy settings of the Docker engine and try again',
    );
  return new UserError(`pushing ${image} failed: ${text}`, 'See the push output in the log');
}

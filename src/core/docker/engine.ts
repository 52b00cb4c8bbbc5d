import Docker from 'dockerode';
import { UserError } from '../errors';

/**
 * No Docker engine answers (nothing listening, no socket, or no permission on it): the state the
 * jobs view shows as "Docker is not running", with Retry, instead of a failed listing.
 */
export class DockerUnreachableError extends UserError {
  constructor(endpoint: string, code: string, options?: { cause?: unknown }) {
    super(
      `cannot reach the Docker engine at ${endpoint} (${code})`,
      code === 'EACCES'
        ? 'Add your user to the docker group or set DOCKER_HOST to an engine you may use'
        : 'Start Docker (Docker Desktop, or dockerd), or set DOCKER_HOST to a running engine',
      options,
    );
  }
}

/** Whether an error means no Docker engine answers. */
export function isDockerUnreachable(error: unknown): error is DockerUnreachableError {
  return error instanceof DockerUnreachableError;
}

/** The socket error codes that mean nothing is there to talk to. */
export function isUnreachableCode(code: unknown): code is string {
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES';
}

export interface DockerEngineInfo {
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  readonly arch: string;
  /** Where the engine was reached, for messages ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
}

/**
 * A Docker client for the engine the user's own `docker` CLI would talk to: DOCKER_HOST when set
 * (unix://, tcp://, npipe://), otherwise the platform's default socket.
 */
export function connectDocker(dockerHost: string | undefined = process.env.DOCKER_HOST): Docker {
  // dockerode reads DOCKER_HOST itself when given no options; pass it explicitly so a value
  // from settings or tests wins over the environment.
  if (!dockerHost) return new Docker();
  const url = new URL(dockerHost);
  switch (url.protocol) {
    case 'unix:':
    case 'npipe:':
      return new Docker({ socketPath: url.pathname });
    case 'tcp:':
    case 'http:':
      return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
    case 'https:':
      return new Docker({ host: url.hostname, port: Number(url.port || 2376), protocol: 'https' });
    default:
      throw new UserError(
        `DOCKER_HOST '${dockerHost}' uses an unsupported scheme '${url.protocol}'`,
        'Use unix:///path/to/docker.sock or tcp://host:port',
      );
  }
}

export function dockerEndpoint(dockerHost: string | undefined = process.env.DOCKER_HOST): string {
  return (
    dockerHost ||
    (process.platform === 'win32'
      ? 'npipe:////./pipe/docker_engine'
      : 'unix:///var/run/docker.sock')
  );
}

/** Asks the engine who it is; turns "nothing listening" into advice instead of a socket error. */
export async function describeDockerEngine(
  docker: Docker,
  endpoint: string = dockerEndpoint(),
): Promise<DockerEngineInfo> {
  try {
    const version = await docker.version();
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
      endpoint,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (isUnreachableCode(code)) throw new DockerUnreachableError(endpoint, code, { cause: error });
    throw error;
  }
}

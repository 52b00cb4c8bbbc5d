import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { listBuildContext, tarBuildContext, type ContextFile } from './buildContext';
import { eventError, readDockerStream } from './dockerStream';

export interface BuildProgress {
  /** 'context': sending files to the engine; 'step': the engine runs a Dockerfile instruction. */
  readonly phase: 'context' | 'step';
  readonly step?: number;
  readonly totalSteps?: number;
  readonly instruction?: string;
  readonly contextBytes?: number;
}

export interface BuildOptions {
  readonly docker: Docker;
  /** The folder sent as build context (the repository root for container/Dockerfile). */
  readonly contextDir: string;
  /** Relative to contextDir (default container/Dockerfile). */
  readonly dockerfile?: string | undefined;
  /** E.g. { ARCHITECTURE: '2.9.1-gpu' }. */
  readonly buildArgs?: Readonly<Record<string, string>> | undefined;
  /** The image name to give the result, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/repo:tag`. */
  readonly tag: string;
  /** Engine network mode for RUN steps ('host' lets a build reach a proxy on this machine). */
  readonly network?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /**
   * Certificate authorities (PEM files) the build trusts, e.g. a TLS-intercepting proxy's: sent as
   * container/local/ca-certificates/<name>.crt in the context, where install.sh picks them up.
   */
  readonly caCertificates?: readonly string[] | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Build output, line by line, without trailing newlines. */
  readonly onLog?: ((line: string) => void) | undefined;
  readonly onProgress?: ((progress: BuildProgress) => void) | undefined;
}

export interface BuildResult {
  readonly imageId: string;
  readonly tag: string;
  readonly contextFiles: number;
  readonly contextBytes: number;
}

/**
 * Builds an image with the Docker Engine (legacy builder API, what dockerode speaks): the context
 * folder as a tar stream filtered by its .dockerignore, build output streamed to `onLog`, "Step
 * N/M" turned into progress. Cancelling closes the request; the engine then stops the build.
 */
export async function buildImage(options: BuildOptions): Promise<BuildResult> {
  const dockerfile = options.dockerfile ?? 'container/Dockerfile';
  const signal = options.signal;
  const listed = await listBuildContext(options.contextDir, dockerfile, signal);
  const extra = await certificateFiles(options.caCertificates ?? []);
  const listing = {
    ...listed,
    files: [...listed.files.filter((f) => !extra.some((e) => e.path === f.path)), ...extra],
    totalBytes: listed.totalBytes + extra.reduce((sum, f) => sum + f.size, 0),
  };
  if (!listing.files.some((f) => f.path === dockerfile.replace(/^\.\//, '')))
    throw new UserError(
      `no ${dockerfile} in the build context ${options.contextDir}`,
      'Open the repository that holds container/Dockerfile, or name the Dockerfile to use',
    );
  if (listing.ignoreSource === 'default')
    options.onLog?.(
      `no .dockerignore in ${options.contextDir}: sending only the container/ files the image needs`,
    );
  options.onLog?.(
    `sending build context: ${listing.files.length} files, ${formatBytes(listing.totalBytes)}`,
  );
  options.onProgress?.({ phase: 'context', contextBytes: listing.totalBytes });

  let stream: NodeJS.ReadableStream;
  try {
    stream = await options.docker.buildImage(
      tarBuildContext(
        options.contextDir,
        listing.files,
        signal,
      ) as unknown as NodeJS.ReadableStream,
      {
        t: options.tag,
        dockerfile,
        buildargs: { ...options.buildArgs },
        rm: true,
        forcerm: true,
        ...(options.network ? { networkmode: options.network } : {}),
        ...(options.labels ? { labels: { ...options.labels } } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      },
    );
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw explainEngineError(error, 'starting the image build');
  }

  let imageId = '';
  let failure: string | undefined;
  await readDockerStream(
    stream,
    (event) => {
      const error = eventError(event);
      if (error) {
        failure = error;
        options.onLog?.(`ERROR: ${error.trimEnd()}`);
        return;
      }
      const id = event.aux?.ID;
      if (typeof id === 'string') imageId = id;
      for (const line of (event.stream ?? '').split('\n')) {
        if (line.trim() === '') continue;
        options.onLog?.(line.trimEnd());
        const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(line.trim());
        if (step)
          options.onProgress?.({
            phase: 'step',
            step: Number(step[1]),
            totalSteps: Number(step[2]),
            instruction: step[3] ?? '',
          });
        const built = /^Successfully built ([0-9a-f]+)/.exec(line.trim());
        if (built && !imageId) imageId = built[1] ?? '';
      }
      if (event.status)
        options.onLog?.(
          `${event.id ? `${event.id}: ` : ''}${event.status} ${event.progress ?? ''}`.trimEnd(),
        );
    },
    signal,
  );
  if (failure !== undefined) throw buildFailure(failure);
  if (!imageId) throw new Error('the Docker engine ended the build without reporting an image id');
  return {
    imageId,
    tag: options.tag,
    contextFiles: listing.files.length,
    contextBytes: listing.totalBytes,
  };
}

const CERTIFICATE_FOLDER = 'container/local/ca-certificates';

/** The PEM files to add to the context, each checked to be a readable file holding a certificate. */
async function certificateFiles(paths: readonly string[]): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const [index, path] of paths.entries()) {
    const source = resolve(path);
    let text: string;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(source);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      if (info.size > 16 * 1024 * 1024)
        throw Object.assign(new Error('too big'), { code: 'EFBIG' });
      text = await readFile(source, 'latin1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UserError(
        `cannot read the certificate file ${source} (${code})`,
        "Name a PEM file of certificate authorities (-----BEGIN CERTIFICATE-----), e.g. your proxy's",
      );
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new UserError(
        `${source} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)`,
        'Export the certificate authority as PEM (Base-64), not DER, and name that file',
      );
    files.push({
      path: `${CERTIFICATE_FOLDER}/tfod-extra-${index}-${basename(source)
        .replace(/[^\w.-]/g, '_')
        .replace(/(\.crt)?$/, '.crt')}`,
      size: text.length,
      mode: 0o644,
      mtime: info.mtime,
      source,
    });
  }
  return files;
}

function buildFailure(message: string): UserError {
  const text = message.trim();
  if (
    /pull access denied|manifest unknown|failed to resolve|no such host|dial tcp|TLS handshake/i.test(
      text,
    )
  )
    return new UserError(
      `docker build failed: the base image cannot be pulled (${text})`,
      'Check the network and that the ARCHITECTURE tag exists on Docker Hub (tensorflow/tensorflow:<tag>); without Docker Hub, build on a copy of it from a registry you reach: the build argument BASE_IMAGE (tfod build --build-arg BASE_IMAGE=<image>, or the setting tfod.image.buildArgs)',
    );
  if (/no space left on device/i.test(text))
    return new UserError(
      `docker build failed: ${text}`,
      'Free disk space (docker system prune) and try again',
    );
  return new UserError(`docker build failed: ${text}`, 'See the build output in the log');
}

/** The engine is gone or refuses: the same advice describeDockerEngine gives. */
export function explainEngineError(error: unknown, what: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES')
    return new UserError(
      `${what} failed: cannot reach the Docker engine (${code})`,
      code === 'EACCES'
        ? 'Add your user to the docker group or set DOCKER_HOST to an engine you may use'
        : 'Start Docker (Docker Desktop, or dockerd), or set DOCKER_HOST to a running engine',
      { cause: error },
    );
  return error;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Gives an image a second name (e.g. the ECR URI), as `docker tag` does. */
export async function tagImage(docker: Docker, source: string, target: string): Promise<void> {
  const { repo, tag } = splitImageName(target);
  try {
    await docker.getImage(source).tag({ repo, tag });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404)
      throw new UserError(`image ${source} does not exist`, 'Build the image first', {
        cause: error,
      });
    throw explainEngineError(error, `tagging ${source} as ${target}`);
  }
}

/** "host:5000/a/b:tag" -> { repo: "host:5000/a/b", tag: "tag" } (a port is not a tag). */
export function splitImageName(name: string): { repo: string; tag: string } {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/'))
    return { repo: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repo: base, tag: 'latest' };
}

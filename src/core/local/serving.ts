import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { basename, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { inspectModelFolder } from '../../detection/modelFolder';
import { ModelFolderError } from '../../detection/errors';
import { CancelledError, UserError } from '../errors';
import { delay, throwIfAborted } from '../jobs/delay';
import { resourceNameProblem, withSuffix } from '../jobs/names';
import type {
  DeployOptions,
  DeployResult,
  EndpointStatus,
  EndpointSummary,
  InvokeResult,
} from '../jobs/types';
import { decodeDockerLog } from './containerLogs';
import { docker, explainDockerError, gpuDeviceRequests, isNotFound } from './docker';
import { endpointsFolder, LABELS, localInstanceType, localPath, writeFileAtomic } from './layout';
import { extractModelArchive } from './modelArchive';
import type { LocalContext, LocalTrainingJobs } from './training';

/**
 * The serving half of the local target: the image's `serve` in a container, as SageMaker hosting
 * runs it (model at /opt/ml/model, port 8080), published on 127.0.0.1 at a free port.
 */

/** What to serve: a local job's model, a model.tar.gz (e.g. downloaded from S3), or a folder. */
export type LocalModelSource =
  | { readonly kind: 'job'; readonly job: string }
  | { readonly kind: 'archive'; readonly path: string }
  | { readonly kind: 'folder'; readonly path: string };

export interface LocalServeRequest {
  readonly endpointName: string;
  readonly model: LocalModelSource;
  /** The serving image; defaults to the job's training image for a job's model. */
  readonly image?: string;
  /** MODEL_SERVER_WORKERS (the image's default: one per GPU on a GPU host, else one per CPU). */
  readonly workers?: number;
  /** MODEL_SERVER_TIMEOUT: seconds per request (the image's default: 60). */
  readonly timeoutSeconds?: number;
  /** More environment of the serving container. */
  readonly environment?: Readonly<Record<string, string>>;
  /** The host port on 127.0.0.1; default: the endpoint's previous port if free, else any free one. */
  readonly port?: number;
}

/** endpoint.json: how the endpoint was made, for the view and for serving it again. */
export interface EndpointRecord {
  readonly name: string;
  readonly image: string;
  readonly source: LocalModelSource;
  /** The folder mounted at /opt/ml/model. */
  readonly modelFolder: string;
  readonly gpu: boolean;
  readonly containerName: string;
  readonly creationTime: string;
  readonly lastModifiedTime: string;
  readonly failureReason?: string;
}

/** The container's port the image's `serve` listens on (SageMaker's contract). */
export const SERVING_PORT = 8080;
/** Default wait for `/ping`; large models take minutes to load. */
export const DEFAULT_READY_TIMEOUT_MS = 5 * 60_000;
const LOG_LINES_IN_ERRORS = 10;

export function describeModelSource(source: LocalModelSource): string {
  return source.kind === 'job' ? source.job : basename(source.path);
}

/**
 * The endpoint name a model source suggests: `<job>-local` for a job; for a path or an S3 URI the
 * last meaningful segment (a job's `…/<job>/output/model.tar.gz` gives `<job>-local`).
 */
export function localEndpointName(source: LocalModelSource | string): string {
  const text =
    typeof source === 'string' ? source : source.kind === 'job' ? source.job : source.path;
  const segments = text
    .replace(/^s3:\/\/|^file:\/\//, '')
    .split(/[\\/]+/)
    .map((segment) => segment.replace(/\.(tar\.gz|tgz)$/i, ''))
    .filter((segment) => segment && !/^(model|output|\.|\.\.)$/i.test(segment));
  return withSuffix(segments[segments.length - 1] ?? 'model', 'local');
}

export class LocalEndpoints {
  constructor(
    private readonly context: LocalContext,
    private readonly jobs: LocalTrainingJobs,
  ) {}

  get folder(): string {
    return endpointsFolder(this.context.workspace);
  }

  containerName(name: string): string {
    return `tfod-serve-${this.context.workspaceHash}-${name}`;
  }

  private recordFile(name: string): string {
    return join(this.folder, name, 'endpoint.json');
  }

  private async readRecord(name: string): Promise<EndpointRecord | undefined> {
    const text = await readFile(this.recordFile(name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as EndpointRecord;
    } catch {
      return undefined;
    }
  }

  private async writeRecord(record: EndpointRecord): Promise<void> {
    await mkdir(join(this.folder, record.name), { recursive: true });
    await writeFileAtomic(this.recordFile(record.name), `${JSON.stringify(record, null, 2)}\n`);
  }

  private async containers(signal?: AbortSignal): Promise<Map<string, Docker.ContainerInfo>> {
    const list = await docker(() =>
      this.context.docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.workspace}=${this.context.workspaceHash}`, LABELS.endpoint] },
        ...(signal ? { abortSignal: signal } : {}),
      }),
    );
    return new Map(list.map((info) => [info.Labels[LABELS.endpoint] ?? '', info]));
  }

  /** Resolves the model to a folder to mount (a job's model/, an unpacked archive, a folder). */
  private async modelFolder(
    request: LocalServeRequest,
    signal?: AbortSignal,
  ): Promise<{ folder: string; image: string | undefined }> {
    const source = request.model;
    if (source.kind === 'job') {
      const { folder, image, status } = await this.jobs.modelFolder(source.job);
      if (status.status !== 'Completed' && !(status.status === 'Stopped' && status.modelArtifacts))
        throw new UserError(
          `cannot serve training job '${source.job}': it is ${status.status} and has no model`,
          'Serve a job that has Completed',
        );
      return { folder, image: request.image ?? image };
    }
    const path = localPath(source.path);
    const info = await stat(path).catch(() => undefined);
    if (!info)
      throw new UserError(
        `cannot serve ${path}: it does not exist`,
        'Give a model folder, or a model.tar.gz as a training job writes it',
      );
    if (source.kind === 'archive' || info.isFile()) {
      const folder = join(this.folder, request.endpointName, 'model');
      await rm(folder, { recursive: true, force: true });
      await extractModelArchive(path, folder, signal);
      return { folder, image: request.image };
    }
    return { folder: path, image: request.image };
  }

  async serve(request: LocalServeRequest, options: DeployOptions = {}): Promise<DeployResult> {
    const { signal } = options;
    const name = request.endpointName;
    const problem = resourceNameProblem(name, 'endpoint name');
    if (problem) throw new UserError(`cannot serve: ${problem}`, 'Use letters, digits and hyphens');
    const progress = (message: string, phase: 'model' | 'create' | 'update' | 'wait' = 'model') =>
      options.onProgress?.({ phase, message });
    const engine = this.context.docker;
    const existing = (await this.containers(signal)).get(name);
    let previousPort: number | undefined;
    if (existing) {
      // An endpoint of that name is updated in place: same name, same port if it is still free.
      progress(`Replacing the container of endpoint '${name}'`, 'update');
      previousPort = existing.Ports.find((port) => port.PrivatePort === SERVING_PORT)?.PublicPort;
      await docker(() => engine.getContainer(existing.Id).remove({ force: true })).catch(
        (error: unknown) => {
          if (!isNotFound(error)) throw error;
        },
      );
    }

    progress('Preparing the model');
    const { folder, image } = await this.modelFolder(request, signal);
    if (!image)
      throw new UserError(
        `cannot serve endpoint '${name}': no serving image was given`,
        'Pick the image to serve with (the training image serves too)',
      );
    try {
      await inspectModelFolder(folder);
    } catch (error) {
      if (error instanceof ModelFolderError)
        throw new UserError(`cannot serve endpoint '${name}': ${error.message}`, error.fix, {
          cause: error,
        });
      throw error;
    }
    const info = (await docker(() => engine.info())) as { Runtimes?: Record<string, unknown> };
    const deviceRequests = gpuDeviceRequests(image, info);
    await docker(() => engine.getImage(image).inspect(), image);
    throwIfAborted(signal);

    const now = this.context.now().toISOString();
    const previous = await this.readRecord(name);
    const record: EndpointRecord = {
      name,
      image,
      source: request.model,
      modelFolder: folder,
      gpu: deviceRequests.length > 0,
      containerName: this.containerName(name),
      creationTime: existing && previous ? previous.creationTime : now,
      lastModifiedTime: now,
    };
    await this.writeRecord(record);

    progress(`Starting ${image} serve`, 'create');
    const environment = {
      ...(request.workers !== undefined ? { MODEL_SERVER_WORKERS: String(request.workers) } : {}),
      ...(request.timeoutSeconds !== undefined
        ? { MODEL_SERVER_TIMEOUT: String(request.timeoutSeconds) }
        : {}),
      ...request.environment,
    };
    const create = (port: number | undefined) =>
      engine.createContainer({
        name: record.containerName,
        Image: image,
        Cmd: ['serve'],
        Env: Object.entries(environment).map(([key, value]) => `${key}=${value}`),
        ExposedPorts: { [`${SERVING_PORT}/tcp`]: {} },
        Labels: {
          [LABELS.endpoint]: name,
          [LABELS.workspace]: this.context.workspaceHash,
          [LABELS.workspaceFolder]: resolve(this.context.workspace),
        },
        HostConfig: {
          Mounts: [{ Type: 'bind', Source: folder, Target: '/opt/ml/model', ReadOnly: true }],
          PortBindings: {
            [`${SERVING_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: port ? String(port) : '' }],
          },
          ...(deviceRequests.length ? { DeviceRequests: deviceRequests } : {}),
        },
      });
    const wanted = request.port ?? previousPort;
    let container = await this.createAndStart(create, wanted, request.port !== undefined, image);
    try {
      const url = await this.url(container);
      await this.waitUntilReady(name, container, url, options);
      const endpoint = await this.describe(name, signal);
      return {
        endpoint,
        modelName: describeModelSource(request.model),
        configName: name,
        updated: existing !== undefined,
      };
    } catch (error) {
      if (error instanceof CancelledError || signal?.aborted) {
        await container.remove({ force: true }).catch(() => undefined);
        await rm(join(this.folder, name), { recursive: true, force: true });
        throw new CancelledError();
      }
      if (error instanceof UserError) {
        await this.writeRecord({ ...record, failureReason: error.message });
        // Nothing to drain: it never served.
        container = engine.getContainer(container.id);
        await container.stop({ t: 1 }).catch(() => undefined);
      }
      throw error;
    }
  }

  private async createAndStart(
    create: (port: number | undefined) => Promise<Docker.Container>,
    port: number | undefined,
    portRequired: boolean,
    image: string,
  ): Promise<Docker.Container> {
    const container = await docker(() => create(port), image);
    try {
      await container.start();
      return container;
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      // The endpoint's old port was taken meanwhile: any free one will do.
      if (
        port !== undefined &&
        !portRequired &&
        /port|address/i.test(String((error as Error).message))
      ) {
        const retry = await docker(() => create(undefined), image);
        await docker(() => retry.start(), image);
        return retry;
      }
      throw explainDockerError(error, image);
    }
  }

  private async url(container: Docker.Container): Promise<string> {
    const info = await docker(() => container.inspect());
    const port = info.NetworkSettings.Ports[`${SERVING_PORT}/tcp`]?.[0]?.HostPort;
    if (!port) throw new Error(`Docker published no host port for ${SERVING_PORT}/tcp`);
    return `http://127.0.0.1:${port}`;
  }

  /** Polls GET /ping until it answers 200; fails early when the container exits. */
  private async waitUntilReady(
    name: string,
    container: Docker.Container,
    url: string,
    options: DeployOptions,
  ): Promise<void> {
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const interval = Math.min(options.pollIntervalMs ?? 500, 5000);
    const started = Date.now();
    for (;;) {
      throwIfAborted(signal);
      const elapsedMs = Date.now() - started;
      if (await ping(url, signal)) return;
      const state = await docker(() => container.inspect());
      if (!state.State.Running) {
        const tail = await this.logTail(container);
        throw new UserError(
          `local endpoint '${name}' did not start: the serving container exited with code ${state.State.ExitCode}${state.State.OOMKilled ? ' (out of memory)' : ''}${tail}`,
          `Check that the model folder holds a model the image can load; the whole log: docker logs ${this.containerName(name)}`,
        );
      }
      if (elapsedMs >= timeoutMs) {
        const tail = await this.logTail(container);
        throw new UserError(
          `local endpoint '${name}' did not answer ${url}/ping within ${Math.round(timeoutMs / 1000)} s${tail}`,
          `A large model can take minutes to load: serve it again with a longer wait for /ping; otherwise check the model and the log: docker logs ${this.containerName(name)}`,
        );
      }
      options.onProgress?.({
        phase: 'wait',
        message: `Waiting for ${url}/ping (${Math.round(elapsedMs / 1000)} s)`,
        status: 'Creating',
        elapsedMs,
      });
      await delay(interval, signal);
    }
  }

  private async logTail(container: Docker.Container, lines = LOG_LINES_IN_ERRORS): Promise<string> {
    const messages = await this.containerLog(container, lines).catch(() => [] as string[]);
    return messages.length ? `; its last log lines: ${messages.join(' | ')}` : '';
  }

  private async containerLog(container: Docker.Container, lines: number): Promise<string[]> {
    // Our own health checks fill the log with failed pings while the model loads: leave them out.
    const raw = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines + 500,
    })) as unknown as Buffer;
    return decodeDockerLog(raw, '')
      .map((event) => event.message)
      .filter((line) => line.trim() && !/GET \/ping 50\d/.test(line))
      .slice(-lines);
  }

  /** The last lines the endpoint's container logged. */
  async log(name: string, lines = 200): Promise<string[]> {
    const found = (await this.containers()).get(name);
    if (!found) throw this.notFound(name);
    return this.containerLog(this.context.docker.getContainer(found.Id), lines);
  }

  private notFound(name: string): UserError {
    return new UserError(
      `local endpoint '${name}' was not found in this workspace`,
      'Serve the model again (Serve Locally, or `tfod serve --target local`)',
    );
  }

  private async summary(
    name: string,
    container: Docker.ContainerInfo | undefined,
    record: EndpointRecord | undefined,
    signal?: AbortSignal,
  ): Promise<EndpointSummary> {
    const port = container?.Ports.find((p) => p.PrivatePort === SERVING_PORT)?.PublicPort;
    const url = port ? `http://127.0.0.1:${port}` : undefined;
    let status: EndpointStatus;
    let failureReason = record?.failureReason;
    if (!container) {
      status = 'Failed';
      failureReason ??=
        'The serving container is gone (removed outside this extension, or the Docker engine was reset); serve the model again';
    } else if (container.State === 'running') {
      status = url && (await ping(url, signal)) ? 'InService' : 'Creating';
      if (status === 'InService') failureReason = undefined;
    } else {
      status = 'Failed';
      const code = /Exited \((\d+)\)/.exec(container.Status)?.[1];
      failureReason ??= `The serving container is not running (${code !== undefined ? `exited with code ${code}` : container.Status}); serve the model again`;
    }
    const created = record?.creationTime
      ? new Date(record.creationTime)
      : container
        ? new Date(container.Created * 1000)
        : undefined;
    return {
      target: 'local',
      name,
      id: container?.Id ?? '',
      status,
      ...(created ? { creationTime: created } : {}),
      ...(record?.lastModifiedTime ? { lastModifiedTime: new Date(record.lastModifiedTime) } : {}),
      ...(failureReason && status === 'Failed' ? { failureReason } : {}),
      configName: name,
      ...(record ? { modelName: describeModelSource(record.source) } : {}),
      instanceType: localInstanceType(record?.gpu ?? false),
      instanceCount: 1,
      ...(url && status !== 'Failed' ? { url } : {}),
    };
  }

  async list(signal?: AbortSignal): Promise<EndpointSummary[]> {
    const containers = await this.containers(signal);
    const names = new Set([
      ...containers.keys(),
      ...(await readdir(this.folder).catch(() => [] as string[])),
    ]);
    const endpoints: EndpointSummary[] = [];
    for (const name of names) {
      const record = await this.readRecord(name);
      const container = containers.get(name);
      if (!record && !container) continue;
      endpoints.push(await this.summary(name, container, record, signal));
    }
    return endpoints.sort(
      (a, b) =>
        (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0) ||
        a.name.localeCompare(b.name),
    );
  }

  async describe(name: string, signal?: AbortSignal): Promise<EndpointSummary> {
    const container = (await this.containers(signal)).get(name);
    const record = await this.readRecord(name);
    if (!container && !record) throw this.notFound(name);
    return this.summary(name, container, record, signal);
  }

  /** Stops the container (letting requests in flight finish), removes it and its state. */
  async delete(name: string, signal?: AbortSignal): Promise<void> {
    const container = (await this.containers(signal)).get(name);
    const record = await this.readRecord(name);
    if (!container && !record) throw this.notFound(name);
    if (container) {
      const handle = this.context.docker.getContainer(container.Id);
      await handle.stop({ t: 10 }).catch(() => undefined);
      await docker(() => handle.remove({ force: true })).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    await rm(join(this.folder, name), { recursive: true, force: true });
  }

  async invoke(
    name: string,
    body: Uint8Array | string,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<InvokeResult> {
    const endpoint = await this.describe(name, signal);
    if (endpoint.status !== 'InService' || !endpoint.url)
      throw new UserError(
        `local endpoint '${name}' is ${endpoint.status}${endpoint.failureReason ? `: ${endpoint.failureReason}` : ''}`,
        endpoint.status === 'Creating' ? 'Wait until it is InService' : 'Serve the model again',
      );
    let response: Response;
    try {
      response = await fetch(`${endpoint.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: typeof body === 'string' ? body : Buffer.from(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new UserError(
        `local endpoint '${name}' at ${endpoint.url} did not answer: ${(error as Error).message}`,
        `See its log: docker logs ${this.containerName(name)}`,
        { cause: error },
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? undefined;
    if (!response.ok) {
      let reason = Buffer.from(bytes).toString('utf8').trim();
      try {
        reason = (JSON.parse(reason) as { error?: string }).error ?? reason;
      } catch {
        // not JSON: keep the text
      }
      throw new UserError(
        `local endpoint '${name}' answered ${response.status}: ${reason.slice(0, 500)}`,
        response.status < 500
          ? 'Send a JPEG or PNG image (raw, or as JSON {"image": "<base64>"})'
          : `See its log: docker logs ${this.containerName(name)}`,
      );
    }
    return { body: bytes, ...(type ? { contentType: type } : {}) };
  }
}

/**
 * True when GET /ping answers 200 within a couple of seconds. node:http rather than fetch: a
 * fetch to a port Docker publishes before the server inside listens can stall without keeping
 * the process alive (seen with Node 20), and this runs while nothing else does.
 */
function ping(url: string, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet(
      `${url}/ping`,
      { timeout: 2000, ...(signal ? { signal } : {}) },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
        response.on('error', () => resolve(false));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

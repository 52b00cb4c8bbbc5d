import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { CancelledError, UserError } from '../errors';
import { delay, throwIfAborted } from '../jobs/delay';
import { samplesFromLogLines, seriesFromSamples } from '../jobs/metricSeries';
import { assertValidTrainingJobSpec } from '../jobs/spec';
import type {
  JobMetrics,
  ListTrainingJobsOptions,
  LogEvent,
  TailLogsOptions,
  TrainingJobDetails,
  TrainingJobSpec,
  TrainingJobSummary,
} from '../jobs/types';
import { toSageMakerHyperparameters } from '../training/hyperparameters';
import {
  decodeDockerLog,
  DockerLogDecoder,
  formatLogLine,
  parseTimestampedLine,
} from './containerLogs';
import { docker, explainDockerError, gpuDeviceRequests, isNotFound } from './docker';
import {
  finishedStatus,
  isFinal,
  lostStatus,
  MAX_RUNTIME_REASON,
  outcomeOf,
  parseStatusRecord,
  startingStatus,
  stoppingStatus,
  toDetails,
  toSummary,
  trainingStarted,
  uploadingStatus,
  type JobOutcome,
  type JobRecord,
  type StatusRecord,
} from './jobState';
import {
  hostPaths,
  jobPaths,
  jobsFolder,
  LABELS,
  layOutJobFolder,
  localInstanceType,
  localPath,
  specChannels,
  TRAINING_HOST,
  trainingHosts,
  trainingMounts,
  writeFileAtomic,
  type JobPaths,
} from './layout';
import { writeModelArchive } from './modelArchive';

/** What the local target's parts share: the workspace, the engine, the clock. */
export interface LocalContext {
  readonly workspace: string;
  readonly workspaceHash: string;
  readonly docker: Docker;
  readonly now: () => Date;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped (SageMaker: 120). */
  readonly stopTimeoutSeconds: number;
  /** Environment given to every training container (on top of a job's own). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface StartLocalJobOptions {
  readonly signal?: AbortSignal;
  /** Extra environment variables of this job's container. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * A job that has no container yet is still being started (by this or another window) for this
 * long; after that, no container means it is lost.
 */
const STARTING_GRACE_MS = 60_000;
const STREAM = `/${TRAINING_HOST}`;

/** The training half of the local target: jobs as folders, containers found by label. */
export class LocalTrainingJobs {
  private readonly finalizing = new Map<string, Promise<StatusRecord>>();

  constructor(private readonly context: LocalContext) {}

  get folder(): string {
    return jobsFolder(this.context.workspace);
  }

  paths(name: string): JobPaths {
    return jobPaths(this.context.workspace, name);
  }

  containerName(name: string): string {
    return `tfod-train-${this.context.workspaceHash}-${name}`;
  }

  /** The bridge network of a job on several hosts, where they find each other as algo-N. */
  networkName(name: string): string {
    return `${this.containerName(name)}-network`;
  }

  async start(
    spec: TrainingJobSpec,
    options: StartLocalJobOptions = {},
  ): Promise<TrainingJobSummary> {
    const { signal } = options;
    assertValidTrainingJobSpec(spec, { target: 'local' });
    const channels = specChannels(spec);
    for (const [channel, folder] of Object.entries(channels)) {
      const info = await stat(folder).catch(() => undefined);
      if (!info?.isDirectory())
        throw new UserError(
          `cannot start training job '${spec.name}': the '${channel}' channel ${folder} ${info ? 'is not a folder' : 'does not exist'}`,
          `Point the ${channel} channel at the folder that holds ${channel === 'training' ? 'the TFRecords, pipeline.config and label_map.pbtxt' : 'the pre-trained checkpoint'}`,
        );
    }
    const engine = this.context.docker;
    const info = (await docker(() => engine.info())) as { Runtimes?: Record<string, unknown> };
    const deviceRequests = gpuDeviceRequests(spec.image, info);
    await docker(() => engine.getImage(spec.image).inspect(), spec.image);
    throwIfAborted(signal);

    const paths = this.paths(spec.name);
    await mkdir(this.folder, { recursive: true });
    try {
      await mkdir(paths.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UserError(
          `a training job named '${spec.name}' already exists in this workspace (${paths.root})`,
          'Pick another job name: names are unique, as on SageMaker',
        );
      throw error;
    }

    const now = this.context.now();
    const gpu = deviceRequests.length > 0;
    const instanceType = localInstanceType(gpu);
    const environment = { ...this.context.environment, ...options.environment };
    const hosts = trainingHosts(spec.instanceCount);
    const record: JobRecord = {
      name: spec.name,
      image: spec.image,
      instanceType,
      instanceCount: hosts.length,
      volumeSizeGb: spec.volumeSizeGb,
      maxRuntimeSeconds: spec.maxRuntimeSeconds,
      outputPath: localPath(spec.outputPath),
      hyperparameters: toSageMakerHyperparameters(spec.hyperparameters),
      channels,
      ...(spec.tags ? { tags: spec.tags } : {}),
      ...(Object.keys(environment).length ? { environment: Object.keys(environment) } : {}),
      gpu,
      containerName: this.containerName(spec.name),
      creationTime: now.toISOString(),
    };
    let status = startingStatus(now);
    let container: Docker.Container | undefined;
    const workers: Docker.Container[] = [];
    let network: string | undefined;
    try {
      await writeFile(paths.jobFile, `${JSON.stringify(record, null, 2)}\n`);
      await writeFileAtomic(paths.statusFile, `${JSON.stringify(status, null, 2)}\n`);
      await layOutJobFolder(paths, spec, instanceType, hosts);
      throwIfAborted(signal);
      if (hosts.length > 1) network = await this.createNetwork(record.name);
      const place = { paths, environment, deviceRequests, network };
      for (const host of hosts.slice(1))
        workers.push(await this.createContainer(record, { ...place, host }));
      container = await this.createContainer(record, { ...place, host: TRAINING_HOST });
      // Recorded before the start: once it runs, another window may finish the job at any
      // moment, and a later write here would overwrite that result.
      status = trainingStarted(status, this.context.now(), container.id);
      await this.writeStatus(paths, status);
      for (const worker of workers) await docker(() => worker.start(), spec.image);
      await docker(() => container!.start(), spec.image);
    } catch (error) {
      // As when CreateTrainingJob is refused: no job, and the name is free again.
      for (const created of [...workers, ...(container ? [container] : [])])
        await created.remove({ force: true }).catch(() => undefined);
      if (network)
        await engine
          .getNetwork(network)
          .remove()
          .catch(() => undefined);
      await rm(paths.root, { recursive: true, force: true });
      if (signal?.aborted) throw new CancelledError();
      throw explainDockerError(error, spec.image);
    }
    return toSummary(paths.root, spec.name, status);
  }

  /** A fresh bridge network for the job's hosts (a stale one of an earlier job is replaced). */
  private async createNetwork(name: string): Promise<string> {
    const engine = this.context.docker;
    const options = {
      Name: this.networkName(name),
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABELS.job]: name, [LABELS.workspace]: this.context.workspaceHash },
    };
    try {
      await engine.createNetwork(options);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
      await engine.getNetwork(options.Name).remove();
      await engine.createNetwork(options);
    }
    return options.Name;
  }

  private async createContainer(
    record: JobRecord,
    place: {
      readonly paths: JobPaths;
      readonly environment: Readonly<Record<string, string>>;
      readonly deviceRequests: Docker.DeviceRequest[];
      readonly host: string;
      readonly network: string | undefined;
    },
  ): Promise<Docker.Container> {
    const { host, network, deviceRequests } = place;
    const chief = host === TRAINING_HOST;
    const name = chief ? record.containerName : `${record.containerName}-${host}`;
    const options: Docker.ContainerCreateOptions = {
      name,
      Image: record.image,
      Cmd: ['train'],
      Hostname: host,
      Env: [
        `TRAINING_JOB_NAME=${record.name}`,
        // Several hosts on one machine share its GPUs: each takes memory as it needs it, not all.
        ...(network && deviceRequests.length ? ['TF_FORCE_GPU_ALLOW_GROWTH=true'] : []),
        ...Object.entries(place.environment).map(([key, value]) => `${key}=${value}`),
      ],
      Labels: {
        [LABELS.job]: record.name,
        [LABELS.workspace]: this.context.workspaceHash,
        [LABELS.workspaceFolder]: resolve(this.context.workspace),
        ...(chief ? {} : { [LABELS.host]: host }),
      },
      HostConfig: {
        Mounts: trainingMounts(hostPaths(place.paths, host), record.channels),
        ...(deviceRequests.length ? { DeviceRequests: deviceRequests } : {}),
        ...(network ? { NetworkMode: network } : {}),
      },
      ...(network
        ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [host] } } } }
        : {}),
    };
    const engine = this.context.docker;
    try {
      return await engine.createContainer(options);
    } catch (error) {
      // A container of an earlier job of this name whose folder was deleted: clear it away.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
      const stale = engine.getContainer(name);
      const state = await stale.inspect().catch(() => undefined);
      if (state?.State.Running)
        throw new UserError(
          `a container named ${name} is still running a training job of that name`,
          `Stop it (docker stop ${name}) or pick another job name`,
        );
      await stale.remove({ force: true }).catch(() => undefined);
      return await engine.createContainer(options);
    }
  }

  private async writeStatus(paths: JobPaths, status: StatusRecord): Promise<void> {
    await writeFileAtomic(paths.statusFile, `${JSON.stringify(status, null, 2)}\n`);
  }

  private async readJob(name: string): Promise<JobRecord | undefined> {
    const text = await readFile(this.paths(name).jobFile, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as JobRecord;
    } catch {
      return undefined;
    }
  }

  /** status.json, or, when it is missing or damaged, a Starting record from job.json. */
  private async readStatus(name: string, job: JobRecord): Promise<StatusRecord> {
    const text = await readFile(this.paths(name).statusFile, 'utf8').catch(() => undefined);
    const parsed = text === undefined ? undefined : parseStatusRecord(text);
    return parsed ?? startingStatus(new Date(job.creationTime));
  }

  private notFound(name: string): UserError {
    return new UserError(
      `training job '${name}' was not found in this workspace (${this.folder})`,
      'Check the name; local jobs live in the .tfod/jobs folder of the workspace they were started in',
    );
  }

  private async containersByJob(signal?: AbortSignal): Promise<Map<string, Docker.ContainerInfo>> {
    const list = await docker(() =>
      this.context.docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.workspace}=${this.context.workspaceHash}`, LABELS.job] },
        ...(signal ? { abortSignal: signal } : {}),
      }),
    );
    // The chief (algo-1) stands for the job; the other hosts are its workers.
    return new Map(
      list
        .filter((info) => !info.Labels[LABELS.host])
        .map((info) => [info.Labels[LABELS.job] ?? '', info]),
    );
  }

  /** The containers of a job's other hosts (algo-2 ...), when it runs on several. */
  private async workerContainers(name: string): Promise<Docker.ContainerInfo[]> {
    return docker(() =>
      this.context.docker.listContainers({
        all: true,
        filters: {
          label: [
            `${LABELS.workspace}=${this.context.workspaceHash}`,
            `${LABELS.job}=${name}`,
            LABELS.host,
          ],
        },
      }),
    );
  }

  /**
   * The job's status now: a finished container is turned into its final status (log saved,
   * model packaged, container removed), a vanished one into Failed, a running one past its
   * maximum runtime is stopped.
   */
  private async refresh(
    name: string,
    job: JobRecord,
    containers?: Map<string, Docker.ContainerInfo>,
  ): Promise<StatusRecord> {
    const status = await this.readStatus(name, job);
    if (isFinal(status)) return status;
    const known = this.finalizing.get(name);
    if (known) return known;
    const found = (containers ?? (await this.containersByJob())).get(name);
    const now = this.context.now();
    if (!found) {
      const age = now.getTime() - new Date(status.creationTime).getTime();
      if (status.secondaryStatus === 'Starting' && !status.containerId && age < STARTING_GRACE_MS)
        return status;
      // Another window may have finished it (and removed the container) meanwhile.
      const again = await this.readStatus(name, job);
      if (isFinal(again)) return again;
      const lost = lostStatus(again, now, this.paths(name).root);
      await this.writeStatus(this.paths(name), lost);
      return lost;
    }
    if (found.State === 'running' || found.State === 'restarting' || found.State === 'paused') {
      const started = status.trainingStartTime
        ? new Date(status.trainingStartTime).getTime()
        : undefined;
      if (
        !status.stopRequested &&
        started !== undefined &&
        now.getTime() - started > job.maxRuntimeSeconds * 1000
      ) {
        const stopping = stoppingStatus(status, now, MAX_RUNTIME_REASON);
        await this.writeStatus(this.paths(name), stopping);
        // Do not hold up a list for the stop; the next look after it exits finishes the job.
        this.context.docker
          .getContainer(found.Id)
          .stop({ t: this.context.stopTimeoutSeconds })
          .catch(() => undefined);
        return stopping;
      }
      if (job.instanceCount > 1) {
        // A host that failed leaves the others waiting for it in every step: end the chief, and
        // the job fails with that host's reason (finishWorkers).
        const failed = (await this.workerContainers(name)).some(
          (worker) => worker.State === 'exited' && (exitCodeOf(worker) ?? 0) !== 0,
        );
        if (failed)
          this.context.docker
            .getContainer(found.Id)
            .stop({ t: this.context.stopTimeoutSeconds })
            .catch(() => undefined);
      }
      return status;
    }
    if (found.State === 'created') {
      // About to be started by the window that created it; or never, if that window went away.
      const age = now.getTime() - new Date(status.lastModifiedTime).getTime();
      if (age < STARTING_GRACE_MS) return status;
      await this.context.docker
        .getContainer(found.Id)
        .remove({ force: true })
        .catch(() => undefined);
      const lost = lostStatus(status, now, this.paths(name).root);
      await this.writeStatus(this.paths(name), lost);
      return lost;
    }
    return this.finish(name, job, found.Id);
  }

  /** Finishes a job whose container has exited; one at a time per job in this process. */
  private finish(name: string, job: JobRecord, containerId: string): Promise<StatusRecord> {
    let running = this.finalizing.get(name);
    if (!running) {
      running = this.finishNow(name, job, containerId).finally(() => this.finalizing.delete(name));
      this.finalizing.set(name, running);
    }
    return running;
  }

  private async finishNow(
    name: string,
    job: JobRecord,
    containerId: string,
  ): Promise<StatusRecord> {
    const paths = this.paths(name);
    const container = this.context.docker.getContainer(containerId);
    let state: Docker.ContainerInspectInfo;
    let raw: Buffer;
    try {
      state = await container.inspect();
      raw = (await container.logs({
        stdout: true,
        stderr: true,
        timestamps: true,
      })) as unknown as Buffer;
    } catch (error) {
      if (!isNotFound(error)) throw explainDockerError(error);
      // Removed by another window after it recorded the result (it records first).
      const again = await this.readStatus(name, job);
      if (isFinal(again)) return again;
      const lost = lostStatus(again, this.context.now(), paths.root);
      await this.writeStatus(paths, lost);
      return lost;
    }
    const chiefEvents = decodeDockerLog(raw, `${name}${STREAM}`);
    const workers =
      job.instanceCount > 1 ? await this.finishWorkers(name, paths) : { events: [], failure: '' };
    const events = workers.events.length
      ? [...chiefEvents, ...workers.events].sort((a, b) => a.timestamp - b.timestamp)
      : chiefEvents;
    await writeFileAtomic(paths.log, events.map((event) => `${formatLogLine(event)}\n`).join(''));
    const failure = await readFile(paths.failure, 'utf8').catch(() => undefined);
    let status = await this.readStatus(name, job);
    let outcome: JobOutcome = outcomeOf(
      { exitCode: state.State.ExitCode, oomKilled: state.State.OOMKilled },
      status,
      failure,
      chiefEvents.slice(-5).map((event) => event.message),
    );
    // The chief's own failure explains it best; otherwise the first host that failed does.
    if (workers.failure && !status.stopRequested && !failure?.trim())
      outcome = { status: 'Failed', reason: workers.failure.slice(0, 1024) };
    const finalMetrics = lastValues(events);
    let modelArtifacts: string | undefined;
    // SageMaker uploads the model of a stopped job too (what the 120 s grace was for).
    if (
      outcome.status === 'Completed' ||
      (outcome.status === 'Stopped' && (await hasFiles(paths.model)))
    ) {
      status = uploadingStatus(status, this.context.now());
      await this.writeStatus(paths, status);
      try {
        modelArtifacts = await this.packageModel(name, job, paths);
      } catch (error) {
        outcome = {
          status: 'Failed',
          reason: `Training finished but model/ could not be packaged as model.tar.gz: ${(error as Error).message}`,
        };
      }
    }
    status = finishedStatus(status, outcome, this.context.now(), {
      exitCode: state.State.ExitCode,
      ...(modelArtifacts ? { modelArtifacts } : {}),
      finalMetrics,
    });
    await this.writeStatus(paths, status);
    await container.remove({ force: true }).catch(() => undefined);
    return status;
  }

  /**
   * Ends the other hosts of a job whose chief has exited: stops those still running (waiting
   * for a chief that is gone), keeps their logs (each line marked with its host) and the first
   * failure, removes their containers and the job's network.
   */
  private async finishWorkers(
    name: string,
    paths: JobPaths,
  ): Promise<{ events: LogEvent[]; failure: string }> {
    const events: LogEvent[] = [];
    let failure = '';
    const engine = this.context.docker;
    const list = await this.workerContainers(name).catch(() => []);
    list.sort((a, b) =>
      (a.Labels[LABELS.host] ?? '').localeCompare(b.Labels[LABELS.host] ?? '', 'en', {
        numeric: true,
      }),
    );
    for (const info of list) {
      const host = info.Labels[LABELS.host] ?? 'algo-?';
      const container = engine.getContainer(info.Id);
      const stopped = info.State === 'running';
      if (stopped)
        await container.stop({ t: this.context.stopTimeoutSeconds }).catch(() => undefined);
      const state = await container.inspect().catch(() => undefined);
      const raw = (await container
        .logs({ stdout: true, stderr: true, timestamps: true })
        .catch(() => Buffer.alloc(0))) as unknown as Buffer;
      for (const event of decodeDockerLog(raw, `${name}/${host}`))
        events.push({ ...event, message: `[${host}] ${event.message}` });
      const code = state?.State.ExitCode ?? 0;
      if (!failure && !stopped && code !== 0) {
        const text = await readFile(hostPaths(paths, host).failure, 'utf8').catch(() => '');
        failure = `host ${host}: ${text.trim() || `the training container exited with code ${code} and wrote no /opt/ml/output/failure`}`;
      }
      await container.remove({ force: true }).catch(() => undefined);
    }
    await engine
      .getNetwork(this.networkName(name))
      .remove()
      .catch(() => undefined);
    return { events, failure };
  }

  /** output/model.tar.gz, and a copy at `<outputPath>/<job>/output/model.tar.gz` as on S3. */
  private async packageModel(name: string, job: JobRecord, paths: JobPaths): Promise<string> {
    await writeModelArchive(paths.model, paths.modelArchive);
    const destination = join(job.outputPath, name, 'output', 'model.tar.gz');
    if (resolve(destination) !== resolve(paths.modelArchive)) {
      await mkdir(join(destination, '..'), { recursive: true });
      await copyFile(paths.modelArchive, destination);
    }
    return destination;
  }

  async describe(name: string, signal?: AbortSignal): Promise<TrainingJobDetails> {
    const job = await this.readJob(name);
    if (!job) throw this.notFound(name);
    throwIfAborted(signal);
    const status = await this.refresh(name, job);
    return toDetails(this.paths(name).root, job, status);
  }

  async list(options: ListTrainingJobsOptions = {}): Promise<TrainingJobSummary[]> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const jobs: Array<{ name: string; job: JobRecord; status: StatusRecord }> = [];
    for (const name of names) {
      if (options.nameContains && !name.includes(options.nameContains)) continue;
      const job = await this.readJob(name);
      if (!job) continue;
      jobs.push({ name, job, status: await this.readStatus(name, job) });
    }
    throwIfAborted(options.signal);
    const active = jobs.filter((entry) => !isFinal(entry.status));
    if (active.length) {
      const containers = await this.containersByJob(options.signal);
      for (const entry of active)
        entry.status = await this.refresh(entry.name, entry.job, containers);
    }
    return jobs
      .map((entry) => toSummary(this.paths(entry.name).root, entry.name, entry.status))
      .sort(
        (a, b) =>
          b.creationTime.getTime() - a.creationTime.getTime() || a.name.localeCompare(b.name),
      )
      .slice(0, options.maxResults ?? 50);
  }

  /**
   * SIGTERM, then SIGKILL after the stop timeout (Docker does both), then the job's final status
   * (Stopped). Resolves once the job has stopped.
   */
  async stop(name: string, signal?: AbortSignal): Promise<void> {
    const job = await this.readJob(name);
    if (!job) throw this.notFound(name);
    let status = await this.refresh(name, job);
    if (isFinal(status))
      throw new UserError(
        `training job '${name}' cannot be stopped: it is ${status.status}`,
        'Only a job that is InProgress can be stopped',
      );
    if (!status.stopRequested) {
      status = stoppingStatus(status, this.context.now());
      await this.writeStatus(this.paths(name), status);
    }
    const found = (await this.containersByJob(signal)).get(name);
    const workers = job.instanceCount > 1 ? await this.workerContainers(name) : [];
    // Every host at once: a chief stopped alone would leave the others waiting for it.
    await Promise.all(
      [...(found ? [found] : []), ...workers].map(async (info) => {
        try {
          await this.context.docker.getContainer(info.Id).stop({
            t: this.context.stopTimeoutSeconds,
            ...(signal ? { abortSignal: signal } : {}),
          });
        } catch (error) {
          if (signal?.aborted) throw new CancelledError();
          const code = (error as { statusCode?: number }).statusCode;
          // 304: it had already stopped; 404: another window finished it.
          if (code !== 304 && code !== 404) throw explainDockerError(error);
        }
      }),
    );
    await this.refresh(name, job);
  }

  tailLogs(name: string, options: TailLogsOptions = {}): AsyncIterable<LogEvent> {
    const events = () => this.logEvents(name, options);
    return {
      async *[Symbol.asyncIterator]() {
        const since = options.startTime ?? 0;
        for await (const event of await events()) {
          if (event.timestamp >= since) yield event;
        }
      },
    };
  }

  /**
   * The job's log: from its container while there is one (following it until it exits when
   * asked), otherwise from output/train.log.
   */
  private async logEvents(
    name: string,
    options: TailLogsOptions,
  ): Promise<AsyncIterable<LogEvent> | LogEvent[]> {
    const job = await this.readJob(name);
    if (!job) throw this.notFound(name);
    const { signal } = options;
    for (;;) {
      if (signal?.aborted) return [];
      const status = await this.readStatus(name, job);
      const found = isFinal(status) ? undefined : (await this.containersByJob(signal)).get(name);
      if (found) {
        const events = await this.containerEvents(name, found.Id, options, () =>
          this.refresh(name, job),
        ).catch((error: unknown) => {
          if (isNotFound(error)) return undefined; // removed meanwhile: its log is in train.log
          throw explainDockerError(error);
        });
        if (events) return events;
      }
      const fresh = await this.refresh(name, job);
      if (isFinal(fresh) || !options.follow) return this.fileEvents(name);
      // Still starting: wait for its container.
      try {
        await delay(options.pollIntervalMs ?? 2000, signal);
      } catch (error) {
        if (error instanceof CancelledError) return [];
        throw error;
      }
    }
  }

  private async fileEvents(name: string): Promise<LogEvent[]> {
    const text = await readFile(this.paths(name).log, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line, index, all) => line !== '' || index < all.length - 1)
      .map((line) => ({ ...parseTimestampedLine(line), stream: `${name}${STREAM}` }));
  }

  private async containerEvents(
    name: string,
    id: string,
    options: TailLogsOptions,
    finished: () => Promise<unknown>,
  ): Promise<AsyncIterable<LogEvent> | LogEvent[]> {
    const container = this.context.docker.getContainer(id);
    const base = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(options.startTime ? { since: Math.floor(options.startTime / 1000) } : {}),
    };
    if (!options.follow) {
      const raw = (await container.logs({ ...base, follow: false })) as unknown as Buffer;
      return decodeDockerLog(raw, `${name}${STREAM}`);
    }
    const stream = (await container.logs({ ...base, follow: true })) as NodeJS.ReadableStream &
      AsyncIterable<Buffer> & { destroy(): void };
    const signal = options.signal;
    return {
      async *[Symbol.asyncIterator]() {
        const decoder = new DockerLogDecoder(`${name}${STREAM}`);
        const onAbort = () => stream.destroy();
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const chunk of stream) yield* decoder.push(chunk);
          yield* decoder.end();
          // The log ends when the process closes its output, a moment before Docker calls the
          // container exited: wait for that and record the result, so a follow ends with the job.
          await container.wait(signal ? { abortSignal: signal } : {}).catch(() => undefined);
          if (!signal?.aborted) await finished();
        } catch (error) {
          if (!signal?.aborted) throw error;
        } finally {
          signal?.removeEventListener('abort', onAbort);
          stream.destroy();
        }
      },
    };
  }

  async metrics(name: string, signal?: AbortSignal): Promise<JobMetrics> {
    const details = await this.describe(name, signal);
    const messages: string[] = [];
    for await (const event of this.tailLogs(name, signal ? { signal } : {}))
      messages.push(event.message);
    return {
      job: name,
      series: seriesFromSamples(samplesFromLogLines(messages)),
      final: details.lastMetrics,
    };
  }

  /** The folder where a job's model/ is (for serving a local job). */
  async modelFolder(
    name: string,
  ): Promise<{ folder: string; image: string; status: StatusRecord }> {
    const job = await this.readJob(name);
    if (!job) throw this.notFound(name);
    const status = await this.refresh(name, job);
    return { folder: this.paths(name).model, image: job.image, status };
  }
}

/** The last value of each metric in the log (what SageMaker keeps as FinalMetricDataList). */
function lastValues(events: readonly LogEvent[]): Record<string, number> {
  const final: Record<string, number> = {};
  for (const series of seriesFromSamples(
    samplesFromLogLines(events.map((event) => event.message)),
  )) {
    const last = series.points[series.points.length - 1];
    if (last) final[series.name] = last.value;
  }
  return final;
}

/** The exit code in a listed container's status ("Exited (1) 3 seconds ago"). */
function exitCodeOf(info: Docker.ContainerInfo): number | undefined {
  const match = /Exited \((-?\d+)\)/.exec(info.Status);
  return match ? Number(match[1]) : undefined;
}

async function hasFiles(folder: string): Promise<boolean> {
  return ((await readdir(folder).catch(() => [])) as string[]).length > 0;
}

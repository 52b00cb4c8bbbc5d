import { resolve } from 'node:path';
import type Docker from 'dockerode';
import { connectDocker } from '../docker/engine';
import { UserError } from '../errors';
import { endpointCapacityProblems } from '../jobs/endpointCapacity';
import type {
  DeployOptions,
  DeployRequest,
  DeployResult,
  EndpointSummary,
  InvokeResult,
  JobMetrics,
  ListTrainingJobsOptions,
  LogEvent,
  TailLogsOptions,
  Target,
  TrainingJobDetails,
  TrainingJobSpec,
  TrainingJobSummary,
} from '../jobs/types';
import { endpointsFolder, jobPaths, jobsFolder, workspaceHash, type JobPaths } from './layout';
import { LocalEndpoints, type LocalModelSource, type LocalServeRequest } from './serving';
import { LocalTrainingJobs, type LocalContext, type StartLocalJobOptions } from './training';

export interface LocalTargetOptions {
  /** The workspace folder; jobs and endpoints live under its `.tfod/`. */
  readonly workspace: string;
  /** The engine to use (default: DOCKER_HOST or the platform's socket, as the docker CLI). */
  readonly docker?: Docker;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped (default 120, like SageMaker). */
  readonly stopTimeoutSeconds?: number;
  /** Environment given to every training container. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly now?: () => Date;
}

export const DEFAULT_STOP_TIMEOUT_SECONDS = 120;

/**
 * Training jobs and endpoints in Docker on this machine, with SageMaker's contract and statuses:
 * a job is a folder under `<workspace>/.tfod/jobs/` laid out as /opt/ml, run by the image's
 * `train`; an endpoint is the image's `serve` on a free port of 127.0.0.1. All state is on disk
 * or in container labels, so a new instance (a reloaded window, the CLI) sees the same jobs.
 */
export class LocalTarget implements Target {
  readonly kind = 'local' as const;
  readonly workspace: string;
  readonly docker: Docker;
  readonly jobs: LocalTrainingJobs;
  readonly endpoints: LocalEndpoints;

  constructor(options: LocalTargetOptions) {
    this.workspace = resolve(options.workspace);
    this.docker = options.docker ?? connectDocker();
    const context: LocalContext = {
      workspace: this.workspace,
      workspaceHash: workspaceHash(this.workspace),
      docker: this.docker,
      now: options.now ?? (() => new Date()),
      stopTimeoutSeconds: options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS,
      environment: options.environment ?? {},
    };
    this.jobs = new LocalTrainingJobs(context);
    this.endpoints = new LocalEndpoints(context, this.jobs);
  }

  /** `<workspace>/.tfod/jobs` */
  get jobsFolder(): string {
    return jobsFolder(this.workspace);
  }

  /** `<workspace>/.tfod/endpoints` */
  get endpointsFolder(): string {
    return endpointsFolder(this.workspace);
  }

  /** The folder of one job and the files in it (train.log, model.tar.gz, ...). */
  jobPaths(name: string): JobPaths {
    return jobPaths(this.workspace, name);
  }

  /** Nothing to release: every call makes its own requests. Kept for symmetry with SageMakerTarget. */
  dispose(): void {}

  startTrainingJob(spec: TrainingJobSpec, signal?: AbortSignal): Promise<TrainingJobSummary> {
    return this.jobs.start(spec, signal ? { signal } : {});
  }

  /** startTrainingJob with local-only options (extra environment of the container). */
  startLocalTrainingJob(
    spec: TrainingJobSpec,
    options: StartLocalJobOptions = {},
  ): Promise<TrainingJobSummary> {
    return this.jobs.start(spec, options);
  }

  describeTrainingJob(name: string, signal?: AbortSignal): Promise<TrainingJobDetails> {
    return this.jobs.describe(name, signal);
  }

  listTrainingJobs(options?: ListTrainingJobsOptions): Promise<TrainingJobSummary[]> {
    return this.jobs.list(options);
  }

  stopTrainingJob(name: string, signal?: AbortSignal): Promise<void> {
    return this.jobs.stop(name, signal);
  }

  tailLogs(job: string, options?: TailLogsOptions): AsyncIterable<LogEvent> {
    return this.jobs.tailLogs(job, options);
  }

  metrics(job: string, signal?: AbortSignal): Promise<JobMetrics> {
    return this.jobs.metrics(job, signal);
  }

  /**
   * Serves a model locally. `request.job` names a local training job, or is the absolute path of
   * a model.tar.gz or a model folder (then `request.image` is required). MODEL_SERVER_WORKERS and
   * MODEL_SERVER_TIMEOUT come from `request.environment`; instance type and count are ignored.
   */
  deploy(request: DeployRequest, options?: DeployOptions): Promise<DeployResult> {
    const problems = endpointCapacityProblems(request, 'local');
    if (problems.length)
      return Promise.reject(
        new UserError(
          `cannot serve '${request.endpointName}' locally: ${problems.join('; ')}`,
          'Drop those options, or deploy with --target sagemaker',
        ),
      );
    return this.endpoints.serve(
      {
        endpointName: request.endpointName,
        model: modelSourceOf(request.job),
        ...(request.image ? { image: request.image } : {}),
        ...(request.environment ? { environment: request.environment } : {}),
      },
      options,
    );
  }

  /** Serves a job's model, a model.tar.gz or a folder, with the local options spelt out. */
  serve(request: LocalServeRequest, options?: DeployOptions): Promise<DeployResult> {
    return this.endpoints.serve(request, options);
  }

  listEndpoints(signal?: AbortSignal): Promise<EndpointSummary[]> {
    return this.endpoints.list(signal);
  }

  describeEndpoint(name: string, signal?: AbortSignal): Promise<EndpointSummary> {
    return this.endpoints.describe(name, signal);
  }

  deleteEndpoint(name: string, signal?: AbortSignal): Promise<void> {
    return this.endpoints.delete(name, signal);
  }

  invokeEndpoint(
    name: string,
    body: Uint8Array | string,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<InvokeResult> {
    return this.endpoints.invoke(name, body, contentType, signal);
  }

  /** The last lines an endpoint's container logged (for "Show Endpoint Log"). */
  endpointLog(name: string, lines?: number): Promise<string[]> {
    return this.endpoints.log(name, lines);
  }
}

/**
 * What `tfod serve --target local <job|model.tar.gz|dir>` (and DeployRequest.job) names: a path
 * (absolute, or starting with ./ or file://) is an archive when it ends in .tar.gz or .tgz and a
 * folder otherwise; anything else is a job name.
 */
export function modelSourceOf(value: string): LocalModelSource {
  const looksLikePath =
    value.startsWith('/') ||
    value.startsWith('./') ||
    value.startsWith('../') ||
    value.startsWith('file://') ||
    /^[a-zA-Z]:[\\/]/.test(value) ||
    value.includes('\\') ||
    value.includes('/');
  if (!looksLikePath) {
    if (!value)
      throw new UserError(
        'nothing to serve was given',
        'Name a local training job, a model.tar.gz or a model folder',
      );
    return { kind: 'job', job: value };
  }
  const path = resolve(value.startsWith('file://') ? decodeURIComponent(value.slice(7)) : value);
  return /\.(tar\.gz|tgz)$/i.test(path) ? { kind: 'archive', path } : { kind: 'folder', path };
}

import {
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  ListTrainingJobsCommand,
  StopTrainingJobCommand,
  CreateTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { AwsSessionOptions } from '../aws/session';
import { CancelledError, UserError, errorMessage } from '../errors';
import { samplesFromLogLines, seriesFromSamples } from '../jobs/metricSeries';
import { assertValidTrainingJobSpec } from '../jobs/spec';
import { isTrainingJobActive } from '../jobs/status';
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
import { readEndpointScaling, removeEndpointScaling } from './autoscaling';
import { createSageMakerClients, destroyClients, type SageMakerClients } from './clients';
import {
  toEndpointDetails,
  toEndpointSummary,
  toTrainingJobDetails,
  toTrainingJobSummary,
} from './convert';
import { deployJob } from './deploy';
import { explainSageMakerError, isNotFound, type ErrorSubject } from './errors';
import { tailLogStreams } from './logs';
import { buildCreateTrainingJobRequest } from './requests';

export interface SageMakerTargetOptions {
  readonly session?: AwsSessionOptions;
  /** Clients to use instead of ones built from `session` (tests, or a shared set). */
  readonly clients?: SageMakerClients;
  readonly now?: () => Date;
}

/** Training jobs and endpoints on Amazon SageMaker, logs from CloudWatch Logs. */
export class SageMakerTarget implements Target {
  readonly kind = 'sagemaker' as const;
  readonly clients: SageMakerClients;
  private readonly session: AwsSessionOptions;
  private readonly ownsClients: boolean;
  private readonly now: () => Date;

  constructor(options: SageMakerTargetOptions = {}) {
    this.session = options.session ?? {};
    this.clients = options.clients ?? createSageMakerClients(this.session);
    this.ownsClients = !options.clients;
    this.now = options.now ?? (() => new Date());
  }

  /** The region the clients resolved (for console links). */
  region(): Promise<string> {
    return this.clients.sagemaker.config.region();
  }

  dispose(): void {
    if (this.ownsClients) destroyClients(this.clients);
  }

  private async call<T>(subject: ErrorSubject | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw explainSageMakerError(error, subject, this.session);
    }
  }

  async startTrainingJob(spec: TrainingJobSpec, signal?: AbortSignal): Promise<TrainingJobSummary> {
    assertValidTrainingJobSpec(spec, { target: 'sagemaker' });
    const request = buildCreateTrainingJobRequest(spec);
    const created = await this.call({ kind: 'training job', name: spec.name }, () =>
      this.clients.sagemaker.send(new CreateTrainingJobCommand(request), { abortSignal: signal }),
    );
    return {
      target: 'sagemaker',
      name: spec.name,
      id: created.TrainingJobArn ?? '',
      status: 'InProgress',
      secondaryStatus: 'Starting',
      creationTime: this.now(),
    };
  }

  async describeTrainingJob(name: string, signal?: AbortSignal): Promise<TrainingJobDetails> {
    const job = await this.call({ kind: 'training job', name }, () =>
      this.clients.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), {
        abortSignal: signal,
      }),
    );
    return toTrainingJobDetails(job);
  }

  async listTrainingJobs(options: ListTrainingJobsOptions = {}): Promise<TrainingJobSummary[]> {
    const limit = options.maxResults ?? 50;
    const jobs: TrainingJobSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(undefined, () =>
        this.clients.sagemaker.send(
          new ListTrainingJobsCommand({
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: Math.min(100, limit - jobs.length),
            ...(options.nameContains ? { NameContains: options.nameContains } : {}),
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: options.signal },
        ),
      );
      jobs.push(...(page.TrainingJobSummaries ?? []).map(toTrainingJobSummary));
      nextToken = page.NextToken;
    } while (nextToken && jobs.length < limit);
    return jobs.slice(0, limit);
  }

  async stopTrainingJob(name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.clients.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }), {
        abortSignal: signal,
      });
    } catch (error) {
      // SageMaker refuses to stop a job that has already ended; say so in its words.
      const message = (error as { message?: string }).message ?? '';
      if (
        (error as { name?: string }).name === 'ValidationException' &&
        !isNotFound(error) &&
        /status|stopp|complet|fail/i.test(message)
      ) {
        const job = await this.describeTrainingJob(name, signal).catch(() => undefined);
        throw new UserError(
          `training job '${name}' cannot be stopped${job ? `: it is ${job.status}` : ` (${message})`}`,
          'Only a job that is InProgress can be stopped',
          { cause: error },
        );
      }
      throw explainSageMakerError(error, { kind: 'training job', name }, this.session);
    }
  }

  tailLogs(job: string, options: TailLogsOptions = {}): AsyncIterable<LogEvent> {
    const isDone = async (): Promise<boolean> => {
      const details = await this.describeTrainingJob(job, options.signal);
      return !isTrainingJobActive(details.status);
    };
    const events = tailLogStreams(this.clients.logs, `${job}/`, {
      ...options,
      ...(options.follow ? { isDone } : {}),
    });
    const session = this.session;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* events;
        } catch (error) {
          throw explainSageMakerError(error, { kind: 'log group', name: job }, session);
        }
      },
    };
  }

  async metrics(job: string, signal?: AbortSignal): Promise<JobMetrics> {
    const details = await this.describeTrainingJob(job, signal);
    const messages: string[] = [];
    for await (const event of this.tailLogs(job, { signal })) messages.push(event.message);
    return {
      job,
      series: seriesFromSamples(samplesFromLogLines(messages)),
      final: details.lastMetrics,
    };
  }

  async deploy(request: DeployRequest, options: DeployOptions = {}): Promise<DeployResult> {
    const job = await this.describeTrainingJob(request.job, options.signal);
    return deployJob(this.clients, job, request, options, this.now);
  }

  async listEndpoints(signal?: AbortSignal): Promise<EndpointSummary[]> {
    const endpoints: EndpointSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(undefined, () =>
        this.clients.sagemaker.send(
          new ListEndpointsCommand({
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      endpoints.push(...(page.Endpoints ?? []).map(toEndpointSummary));
      nextToken = page.NextToken;
    } while (nextToken);
    return endpoints;
  }

  async describeEndpoint(name: string, signal?: AbortSignal): Promise<EndpointSummary> {
    const subject: ErrorSubject = { kind: 'endpoint', name };
    const endpoint = await this.call(subject, () =>
      this.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }), {
        abortSignal: signal,
      }),
    );
    // The config holds the instance type; it may have been deleted behind the endpoint's back.
    const config = endpoint.EndpointConfigName
      ? await this.clients.sagemaker
          .send(
            new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
            { abortSignal: signal },
          )
          .catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw explainSageMakerError(error, subject, this.session);
          })
      : undefined;
    const details = toEndpointDetails(endpoint, config);
    if (details.serverless) return details;
    // The scaling is the other service's; a description without it still serves the caller.
    try {
      const autoscaling = await readEndpointScaling(
        this.clients.autoscaling,
        name,
        signal,
        this.session,
      );
      return autoscaling ? { ...details, autoscaling } : details;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return { ...details, autoscalingUnknown: errorMessage(error) };
    }
  }

  /** Removes the endpoint's autoscaling (policies, scalable target), then the endpoint. */
  async deleteEndpoint(name: string, signal?: AbortSignal): Promise<void> {
    await removeEndpointScaling(this.clients.autoscaling, name, signal, this.session);
    await this.call({ kind: 'endpoint', name }, () =>
      this.clients.sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }), {
        abortSignal: signal,
      }),
    );
  }

  async invokeEndpoint(
    name: string,
    body: Uint8Array | string,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<InvokeResult> {
    try {
      const answer = await this.clients.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: name,
          ContentType: contentType,
          Body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
        }),
        { abortSignal: signal },
      );
      return {
        body: answer.Body ?? new Uint8Array(),
        ...(answer.ContentType ? { contentType: answer.ContentType } : {}),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'ModelError') {
        throw new UserError(
          `endpoint '${name}' answered with an error: ${(error as Error).message}`,
          `See its logs in CloudWatch (/aws/sagemaker/Endpoints/${name})`,
          { cause: error },
        );
      }
      throw explainSageMakerError(error, { kind: 'endpoint', name }, this.session);
    }
  }
}

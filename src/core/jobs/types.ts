import type { TargetKind } from '../target';
import type { TrainingHyperparameters } from '../training/hyperparameters';

/**
 * The target-neutral model of training jobs and endpoints. The SageMaker target maps it onto the
 * SageMaker API; the local target (Docker, a folder for S3) implements the same interface, so the
 * jobs view, the palette commands and the CLI never ask which target they talk to.
 */

/** SageMaker's training job states; the local target records the same ones. */
export const TRAINING_JOB_STATUSES = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped',
] as const;
export type TrainingJobStatus = (typeof TRAINING_JOB_STATUSES)[number];

/** The channels the training image reads (File mode): `training` is required. */
export interface TrainingChannels {
  /** TFRecords, pipeline.config and label_map.pbtxt (`s3://bucket/prefix/` on SageMaker). */
  readonly training: string;
  /** The pre-trained model folder (checkpoint index and data files); optional. */
  readonly checkpoint?: string;
}

export interface TrainingJobSpec {
  /** 1-63 characters: letters, digits and single or repeated hyphens between them. */
  readonly name: string;
  /** The training image (an ECR URI on SageMaker, a local tag on the local target). */
  readonly image: string;
  /** The IAM role SageMaker assumes for the job; the local target ignores it. */
  readonly roleArn: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeSizeGb: number;
  readonly maxRuntimeSeconds: number;
  /** Where the job's model.tar.gz goes (`s3://bucket/prefix/`). */
  readonly outputPath: string;
  readonly hyperparameters: TrainingHyperparameters;
  readonly channels: TrainingChannels;
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Managed spot training (SageMaker): the job runs on spare capacity, may be interrupted and
   * is restarted from its newest checkpoint. The local target ignores it.
   */
  readonly spot?: boolean;
  /** With `spot`: the longest the job may take, waiting for capacity included (>= maxRuntimeSeconds). */
  readonly maxWaitSeconds?: number;
  /**
   * Where the job's checkpoints are kept while it runs (synced with /opt/ml/checkpoints); with
   * `spot` and none given, `<outputPath>/<job>/checkpoints/`. SageMaker only: a local job keeps
   * them in its own folder.
   */
  readonly checkpointsPath?: string;
  /**
   * Where the TensorFlow event files go (TensorBoardOutputConfig), default
   * `<outputPath>/<job>/tensorboard/`. SageMaker only: a local job keeps them in
   * `output/tensorboard/` of its folder.
   */
  readonly tensorboardPath?: string;
}

/** One training job as a list shows it. */
export interface TrainingJobSummary {
  readonly target: TargetKind;
  readonly name: string;
  /** The SageMaker ARN; the job folder's path on the local target. */
  readonly id: string;
  readonly status: TrainingJobStatus;
  /** Finer progress: Starting, Downloading, Training, Uploading, ... */
  readonly secondaryStatus?: string;
  readonly creationTime: Date;
  readonly trainingStartTime?: Date;
  readonly trainingEndTime?: Date;
  readonly lastModifiedTime?: Date;
}

/** Everything about one training job the view, the logs and deploy need. */
export interface TrainingJobDetails extends TrainingJobSummary {
  readonly failureReason?: string;
  readonly image?: string;
  readonly roleArn?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly outputPath?: string;
  /** As the image receives them: strings. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** The last value of each metric the platform recorded (SageMaker's FinalMetricDataList). */
  readonly lastMetrics: Readonly<Record<string, number>>;
  /** `s3://.../output/model.tar.gz` once the job has completed. */
  readonly modelArtifacts?: string;
  readonly statusHistory: readonly StatusTransition[];
  /** Managed spot training (SageMaker's EnableManagedSpotTraining). */
  readonly spot?: boolean;
  readonly maxWaitSeconds?: number;
  /** CheckpointConfig.S3Uri. */
  readonly checkpointsPath?: string;
  /** TensorBoardOutputConfig.S3OutputPath. */
  readonly tensorboardPath?: string;
  /** Seconds the instances ran (SageMaker's TrainingTimeInSeconds), once the job has ended. */
  readonly trainingSeconds?: number;
  /** Seconds charged (BillableTimeInSeconds): less than the training time with spot. */
  readonly billableSeconds?: number;
}

export interface StatusTransition {
  readonly status: string;
  readonly startTime: Date;
  readonly endTime?: Date;
  readonly message?: string;
}

export interface ListTrainingJobsOptions {
  /** Only jobs whose name contains this. */
  readonly nameContains?: string;
  /** At most this many, newest first (default 50). */
  readonly maxResults?: number;
  readonly signal?: AbortSignal;
}

/** One line of a job's log. */
export interface LogEvent {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
  /** Which instance's stream it came from (`<job>/algo-1-...` on SageMaker). */
  readonly stream: string;
}

export interface TailLogsOptions {
  /** Keep polling for new events (and new streams) until the job ends or `signal` aborts. */
  readonly follow?: boolean;
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
  /** Only events at or after this time (ms since the epoch). */
  readonly startTime?: number;
  /** Milliseconds between polls when following (default 2000). */
  readonly pollIntervalMs?: number;
}

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
}

/** One metric over training steps, for the chart. */
export interface MetricSeries {
  readonly name: string;
  readonly points: readonly MetricPoint[];
}

export interface JobMetrics {
  readonly job: string;
  /** Loss and eval metrics over steps, from the job's `#metric` log lines. */
  readonly series: readonly MetricSeries[];
  /** The last values the platform recorded, when it did (no step attached). */
  readonly final: Readonly<Record<string, number>>;
}

export const ENDPOINT_STATUSES = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export interface EndpointSummary {
  readonly target: TargetKind;
  readonly name: string;
  /** The SageMaker ARN; the container id on the local target. */
  readonly id: string;
  readonly status: EndpointStatus;
  readonly creationTime?: Date;
  readonly lastModifiedTime?: Date;
  readonly failureReason?: string;
  /** Filled in by describeEndpoint (a list does not carry them). */
  readonly configName?: string;
  readonly modelName?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  /** Instances scaled by Application Auto Scaling (describeEndpoint on SageMaker only). */
  readonly autoscaling?: EndpointScalingState;
  /** A serverless endpoint: no instances, billed per request. */
  readonly serverless?: ServerlessSettings;
  /** Why the autoscaling could not be read (the rest of the description still stands). */
  readonly autoscalingUnknown?: string;
  /** Where it answers HTTP directly (local endpoints only). */
  readonly url?: string;
}

/**
 * An instance endpoint that scales between `minInstances` and `maxInstances` with a
 * target-tracking policy on SageMakerVariantInvocationsPerInstance.
 */
export interface EndpointAutoscaling {
  readonly minInstances: number;
  readonly maxInstances: number;
  /** The policy's target: invocations per instance per minute. */
  readonly targetInvocations: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

/** What a described endpoint's scaling is; the policy's fields are absent without our policy. */
export type EndpointScalingState = Pick<EndpointAutoscaling, 'minInstances' | 'maxInstances'> &
  Partial<EndpointAutoscaling>;

/** SageMaker Serverless Inference: the variant's ServerlessConfig. */
export interface ServerlessSettings {
  /** 1024 to 6144 in steps of 1024. */
  readonly memoryMb: number;
  /** Concurrent invocations, 1 to 200. */
  readonly maxConcurrency: number;
}

export interface DeployRequest {
  /** The completed training job whose model to serve. */
  readonly job: string;
  readonly endpointName: string;
  /** Ignored with `serverless`. */
  readonly instanceType: string;
  /** The instances it starts with; with `autoscaling`, within its minimum and maximum. */
  readonly instanceCount: number;
  /** Scale the instances on traffic (SageMaker only); absent: a fixed count. */
  readonly autoscaling?: EndpointAutoscaling;
  /** Serverless inference instead of instances (SageMaker only; not with autoscaling). */
  readonly serverless?: ServerlessSettings;
  /** The serving image; defaults to the job's training image (the same image serves). */
  readonly image?: string;
  /** Environment of the serving container (e.g. MODEL_SERVER_WORKERS). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface DeployProgress {
  readonly phase: 'model' | 'config' | 'create' | 'update' | 'wait' | 'scaling';
  readonly message: string;
  /** The endpoint's status while waiting. */
  readonly status?: EndpointStatus;
  readonly elapsedMs?: number;
}

export interface DeployOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DeployProgress) => void;
  /** Milliseconds between DescribeEndpoint polls (default 15000, SageMaker takes minutes). */
  readonly pollIntervalMs?: number;
  /** Give up waiting after this long (default 60 minutes). */
  readonly timeoutMs?: number;
}

export interface DeployResult {
  readonly endpoint: EndpointSummary;
  readonly modelName: string;
  readonly configName: string;
  /** True when an existing endpoint was updated in place. */
  readonly updated: boolean;
}

export interface InvokeResult {
  readonly body: Uint8Array;
  readonly contentType?: string;
}

/** What every target offers; the jobs view, palette commands and CLI use only this. */
export interface Target {
  readonly kind: TargetKind;
  startTrainingJob(spec: TrainingJobSpec, signal?: AbortSignal): Promise<TrainingJobSummary>;
  describeTrainingJob(name: string, signal?: AbortSignal): Promise<TrainingJobDetails>;
  listTrainingJobs(options?: ListTrainingJobsOptions): Promise<TrainingJobSummary[]>;
  stopTrainingJob(name: string, signal?: AbortSignal): Promise<void>;
  /** The job's log events in order; with `follow`, new ones as they arrive. */
  tailLogs(job: string, options?: TailLogsOptions): AsyncIterable<LogEvent>;
  metrics(job: string, signal?: AbortSignal): Promise<JobMetrics>;
  /** Creates (or updates in place) an endpoint serving the job's model; waits until InService. */
  deploy(request: DeployRequest, options?: DeployOptions): Promise<DeployResult>;
  listEndpoints(signal?: AbortSignal): Promise<EndpointSummary[]>;
  describeEndpoint(name: string, signal?: AbortSignal): Promise<EndpointSummary>;
  deleteEndpoint(name: string, signal?: AbortSignal): Promise<void>;
  invokeEndpoint(
    name: string,
    body: Uint8Array | string,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<InvokeResult>;
}

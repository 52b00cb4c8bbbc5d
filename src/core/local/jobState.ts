import { TRAINING_JOB_STATUSES, type TrainingJobStatus } from '../jobs/types';
import type { StatusTransition, TrainingJobDetails, TrainingJobSummary } from '../jobs/types';

/**
 * A local job's state on disk, in SageMaker's terms: `job.json` is the request (written once),
 * `status.json` what DescribeTrainingJob would answer now. The transitions are pure functions so
 * the rules (the same as SageMaker's) are tested without Docker.
 */

/** job.json: what the job was asked to do. */
export interface JobRecord {
  readonly name: string;
  readonly image: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeSizeGb: number;
  readonly maxRuntimeSeconds: number;
  readonly outputPath: string;
  /** As the image receives them (strings). */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** Channel name -> the local folder bound read-only at /opt/ml/input/data/<name>. */
  readonly channels: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** Names of extra environment variables given to the container (values are not recorded). */
  readonly environment?: readonly string[];
  readonly gpu: boolean;
  readonly containerName: string;
  readonly creationTime: string;
}

export interface StatusEntry {
  readonly status: string;
  readonly startTime: string;
  readonly endTime?: string;
  readonly message?: string;
}

/** status.json: SageMaker's status fields, times as ISO strings. */
export interface StatusRecord {
  readonly status: TrainingJobStatus;
  readonly secondaryStatus: string;
  readonly creationTime: string;
  readonly lastModifiedTime: string;
  readonly trainingStartTime?: string;
  readonly trainingEndTime?: string;
  readonly failureReason?: string;
  readonly exitCode?: number;
  readonly containerId?: string;
  /** Set by Stop: whatever the container does next, the job ends Stopped. */
  readonly stopRequested?: boolean;
  /** Why it is being stopped when not by the user (MaxRuntimeExceeded). */
  readonly stopReason?: string;
  /** The model.tar.gz path, once packaged. */
  readonly modelArtifacts?: string;
  /** The last value of each `#metric` series (SageMaker's FinalMetricDataList). */
  readonly finalMetrics?: Readonly<Record<string, number>>;
  readonly statusHistory: readonly StatusEntry[];
}

/** SageMaker truncates FailureReason; so does the local target (same 1024 characters). */
export const FAILURE_REASON_LIMIT = 1024;

const iso = (date: Date): string => date.toISOString();

function advance(
  record: StatusRecord,
  now: Date,
  secondaryStatus: string,
  message: string | undefined,
  changes: Partial<StatusRecord> = {},
): StatusRecord {
  const history = record.statusHistory.map((entry, index, all) =>
    index === all.length - 1 && entry.endTime === undefined
      ? { ...entry, endTime: iso(now) }
      : entry,
  );
  return {
    ...record,
    ...changes,
    secondaryStatus,
    lastModifiedTime: iso(now),
    statusHistory: [
      ...history,
      { status: secondaryStatus, startTime: iso(now), ...(message ? { message } : {}) },
    ],
  };
}

export function startingStatus(now: Date): StatusRecord {
  return {
    status: 'InProgress',
    secondaryStatus: 'Starting',
    creationTime: iso(now),
    lastModifiedTime: iso(now),
    statusHistory: [
      {
        status: 'Starting',
        startTime: iso(now),
        message: 'Preparing the job folder and the training container',
      },
    ],
  };
}

export function trainingStarted(
  record: StatusRecord,
  now: Date,
  containerId: string,
): StatusRecord {
  return advance(record, now, 'Training', 'Training image is running in Docker on this machine', {
    containerId,
    trainingStartTime: iso(now),
  });
}

/** Stop requested (by the user, or by the maximum runtime). */
export function stoppingStatus(record: StatusRecord, now: Date, reason?: string): StatusRecord {
  return advance(record, now, 'Stopping', reason ?? 'Stopping the training job', {
    status: 'Stopping',
    stopRequested: true,
    ...(reason ? { stopReason: reason } : {}),
  });
}

export function uploadingStatus(record: StatusRecord, now: Date): StatusRecord {
  return advance(record, now, 'Uploading', 'Packaging model/ as output/model.tar.gz');
}

/** How the training container ended, as Docker reports it. */
export interface ContainerExit {
  readonly exitCode: number;
  readonly oomKilled?: boolean;
}

export type JobOutcome =
  | { readonly status: 'Completed' }
  | { readonly status: 'Stopped'; readonly secondaryStatus: 'Stopped' | 'MaxRuntimeExceeded' }
  | { readonly status: 'Failed'; readonly reason: string };

/**
 * SageMaker's verdict on a finished container: Stopped whenever a stop was requested (whatever
 * the exit code), Completed on exit 0, otherwise Failed with the failure file's text, or, when
 * the image wrote none, what Docker knows (out of memory, killed, the exit code).
 */
export function outcomeOf(
  exit: ContainerExit,
  record: Pick<StatusRecord, 'stopRequested' | 'stopReason'>,
  failureText: string | undefined,
  lastLogLines: readonly string[] = [],
): JobOutcome {
  if (record.stopRequested)
    return {
      status: 'Stopped',
      secondaryStatus: record.stopReason === MAX_RUNTIME_REASON ? 'MaxRuntimeExceeded' : 'Stopped',
    };
  if (exit.exitCode === 0) return { status: 'Completed' };
  const failure = failureText?.trim();
  if (failure) return { status: 'Failed', reason: truncate(failure) };
  const tail = lastLogLines.length ? `; last log lines: ${lastLogLines.join(' | ')}` : '';
  if (exit.oomKilled)
    return {
      status: 'Failed',
      reason: truncate(
        `The training container ran out of memory (killed by Docker, exit ${exit.exitCode}); give Docker more memory or lower the batch size in pipeline.config${tail}`,
      ),
    };
  const killed = exit.exitCode === 137 ? ' (killed)' : '';
  return {
    status: 'Failed',
    reason: truncate(
      `The training container exited with code ${exit.exitCode}${killed} and wrote no /opt/ml/output/failure${tail}`,
    ),
  };
}

export const MAX_RUNTIME_REASON = 'MaxRuntimeExceeded';

function truncate(text: string): string {
  return text.length > FAILURE_REASON_LIMIT ? text.slice(0, FAILURE_REASON_LIMIT) : text;
}

export interface FinishDetails {
  readonly exitCode?: number;
  readonly modelArtifacts?: string;
  readonly finalMetrics?: Readonly<Record<string, number>>;
}

/** The job's final state; the last history entry opens and closes at `now`, as SageMaker's does. */
export function finishedStatus(
  record: StatusRecord,
  outcome: JobOutcome,
  now: Date,
  details: FinishDetails = {},
): StatusRecord {
  const secondary = outcome.status === 'Stopped' ? outcome.secondaryStatus : outcome.status;
  const message =
    outcome.status === 'Completed'
      ? 'Training job completed'
      : outcome.status === 'Failed'
        ? outcome.reason.split('\n')[0]
        : secondary === 'MaxRuntimeExceeded'
          ? 'Training job stopped: it ran longer than its maximum runtime'
          : 'Training job stopped';
  const next = advance(record, now, secondary, message, {
    status: outcome.status,
    trainingEndTime: iso(now),
    ...(outcome.status === 'Failed' ? { failureReason: outcome.reason } : {}),
    ...(details.exitCode !== undefined ? { exitCode: details.exitCode } : {}),
    ...(details.modelArtifacts ? { modelArtifacts: details.modelArtifacts } : {}),
    ...(details.finalMetrics ? { finalMetrics: details.finalMetrics } : {}),
  });
  const history = next.statusHistory.slice(0, -1);
  const last = next.statusHistory[next.statusHistory.length - 1];
  return {
    ...next,
    statusHistory: [...history, ...(last ? [{ ...last, endTime: iso(now) }] : [])],
  };
}

/** A job whose container vanished while nobody was watching: it can only be called Failed. */
export function lostStatus(record: StatusRecord, now: Date, folder: string): StatusRecord {
  return finishedStatus(
    record,
    {
      status: 'Failed',
      reason: `The training container is gone (removed outside this extension, or the Docker engine was reset) and the job recorded no result; what it wrote is in ${folder}`,
    },
    now,
  );
}

export function isFinal(record: Pick<StatusRecord, 'status'>): boolean {
  return record.status === 'Completed' || record.status === 'Failed' || record.status === 'Stopped';
}

/** Reads status.json leniently: a damaged file is reported, not thrown (the list must show). */
export function parseStatusRecord(text: string): StatusRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Partial<StatusRecord>;
  if (
    typeof record.status !== 'string' ||
    !(TRAINING_JOB_STATUSES as readonly string[]).includes(record.status) ||
    typeof record.creationTime !== 'string' ||
    !Array.isArray(record.statusHistory)
  )
    return undefined;
  return {
    ...record,
    secondaryStatus: record.secondaryStatus ?? record.status,
    lastModifiedTime: record.lastModifiedTime ?? record.creationTime,
  } as StatusRecord;
}

const date = (value: string | undefined): Date | undefined =>
  value === undefined ? undefined : new Date(value);

export function toSummary(id: string, name: string, status: StatusRecord): TrainingJobSummary {
  return {
    target: 'local',
    name,
    id,
    status: status.status,
    secondaryStatus: status.secondaryStatus,
    creationTime: new Date(status.creationTime),
    ...(status.trainingStartTime ? { trainingStartTime: date(status.trainingStartTime) } : {}),
    ...(status.trainingEndTime ? { trainingEndTime: date(status.trainingEndTime) } : {}),
    lastModifiedTime: new Date(status.lastModifiedTime),
  };
}

export function toDetails(id: string, job: JobRecord, status: StatusRecord): TrainingJobDetails {
  const history: StatusTransition[] = status.statusHistory.map((entry) => ({
    status: entry.status,
    startTime: new Date(entry.startTime),
    ...(entry.endTime ? { endTime: new Date(entry.endTime) } : {}),
    ...(entry.message ? { message: entry.message } : {}),
  }));
  return {
    ...toSummary(id, job.name, status),
    ...(status.failureReason ? { failureReason: status.failureReason } : {}),
    image: job.image,
    instanceType: job.instanceType,
    instanceCount: job.instanceCount,
    outputPath: job.outputPath,
    hyperparameters: job.hyperparameters,
    lastMetrics: status.finalMetrics ?? {},
    ...(status.modelArtifacts ? { modelArtifacts: status.modelArtifacts } : {}),
    statusHistory: history,
  };
}

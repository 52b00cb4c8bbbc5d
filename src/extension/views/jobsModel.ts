import {
  isEndpointActive,
  isTrainingJobActive,
  type EndpointSummary,
  type Target,
  type TrainingJobDetails,
  type TrainingJobSummary,
} from '../../core/jobs';
import { errorMessage } from '../../core/errors';
import type { TargetKind } from '../../core/target';

/**
 * What the jobs view knows about each target, refreshed by one poll: the job list, the details of
 * the jobs shown (for secondary status, metrics and the model), the endpoints. Details of a job
 * that has ended are fetched once and kept. No 'vscode' here: the view renders this.
 */
export interface JobEntry {
  readonly summary: TrainingJobSummary;
  readonly details?: TrainingJobDetails;
}

export interface TargetSnapshot {
  readonly kind: TargetKind;
  readonly jobs: readonly JobEntry[];
  readonly endpoints: readonly EndpointSummary[];
  /** Why the last refresh failed (credentials, network); the lists are then the previous ones. */
  readonly error?: string;
}

export interface JobsModelOptions {
  /** Jobs listed per target (newest first). */
  readonly maxJobs?: number;
  /** Describe calls in flight at once. */
  readonly concurrency?: number;
}

export class JobsModel {
  private readonly snapshots = new Map<TargetKind, TargetSnapshot>();
  private readonly settled = new Map<string, TrainingJobDetails>();

  constructor(private readonly options: JobsModelOptions = {}) {}

  snapshot(kind: TargetKind): TargetSnapshot | undefined {
    return this.snapshots.get(kind);
  }

  /** Targets with something to show, in the order given to the last refresh. */
  visible(): TargetSnapshot[] {
    return [...this.snapshots.values()].filter(
      (s) => s.jobs.length > 0 || s.endpoints.length > 0 || s.error !== undefined,
    );
  }

  /** Forgets targets no longer shown. */
  retain(kinds: readonly TargetKind[]): void {
    for (const kind of this.snapshots.keys())
      if (!kinds.includes(kind)) this.snapshots.delete(kind);
  }

  /** Refreshes every target; returns whether anything is still changing by itself. */
  async refresh(
    targets: ReadonlyArray<{ kind: TargetKind; target: Target }>,
    signal?: AbortSignal,
  ): Promise<boolean> {
    this.retain(targets.map((t) => t.kind));
    const results = await Promise.all(
      targets.map(({ kind, target }) => this.refreshTarget(kind, target, signal)),
    );
    return results.some(Boolean);
  }

  private async refreshTarget(
    kind: TargetKind,
    target: Target,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const previous = this.snapshots.get(kind);
    try {
      const [jobs, endpoints] = await Promise.all([
        target.listTrainingJobs({ maxResults: this.options.maxJobs ?? 50, signal }),
        target.listEndpoints(signal),
      ]);
      const entries = await this.describeAll(target, jobs, signal);
      this.snapshots.set(kind, { kind, jobs: entries, endpoints });
      return (
        entries.some((e) => isTrainingJobActive(e.details?.status ?? e.summary.status)) ||
        endpoints.some((e) => isEndpointActive(e.status))
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      this.snapshots.set(kind, {
        kind,
        jobs: previous?.jobs ?? [],
        endpoints: previous?.endpoints ?? [],
        error: errorMessage(error),
      });
      return false;
    }
  }

  private async describeAll(
    target: Target,
    jobs: readonly TrainingJobSummary[],
    signal?: AbortSignal,
  ): Promise<JobEntry[]> {
    const entries: JobEntry[] = jobs.map((summary) => ({ summary }));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const i = next++;
        const summary = jobs[i] as TrainingJobSummary;
        const key = `${summary.target}/${summary.name}/${summary.creationTime.getTime()}`;
        let details = this.settled.get(key);
        if (!details) {
          details = await target.describeTrainingJob(summary.name, signal).catch(() => undefined);
          if (details && !isTrainingJobActive(details.status)) this.settled.set(key, details);
        }
        // The description is fresher than the list for a job that just changed state.
        entries[i] = details
          ? { summary: { ...summary, status: details.status, ...pick(details) }, details }
          : { summary };
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 5 }, worker));
    return entries;
  }

  /** Every known job and endpoint, for pickers. */
  jobs(kind: TargetKind): readonly JobEntry[] {
    return this.snapshots.get(kind)?.jobs ?? [];
  }
}

function pick(details: TrainingJobDetails): Partial<TrainingJobSummary> {
  const out: { -readonly [K in keyof TrainingJobSummary]?: TrainingJobSummary[K] } = {};
  if (details.secondaryStatus) out.secondaryStatus = details.secondaryStatus;
  if (details.trainingStartTime) out.trainingStartTime = details.trainingStartTime;
  if (details.trainingEndTime) out.trainingEndTime = details.trainingEndTime;
  if (details.lastModifiedTime) out.lastModifiedTime = details.lastModifiedTime;
  return out;
}

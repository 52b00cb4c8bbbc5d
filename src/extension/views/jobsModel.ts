import {
  isEndpointActive,
  isTrainingJobActive,
  type EndpointSummary,
  type Target,
  type TrainingJobDetails,
  type TrainingJobSummary,
} from '../../core/jobs';
import { isDockerUnreachable } from '../../core/docker/engine';
import { errorMessage } from '../../core/errors';
import { TARGET_KINDS, type TargetKind } from '../../core/target';

/**
 * What the jobs view knows about each target, refreshed target by target (so a slow one never
 * holds back another): the job list, the details of the jobs shown (for secondary status, metrics
 * and the model), the endpoints. Details of a job that has ended are fetched once and kept. No
 * 'vscode' here: the view renders this.
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
  /** The last refresh failed because no Docker engine answers (the local target). */
  readonly dockerUnreachable?: boolean;
}

/**
 * What the local target's last listing says of Docker: running, not running (no engine answers),
 * or unknown (not listed yet, or failed for another reason). Drives the `tfod:docker` context key.
 */
export function dockerState(
  snapshot: TargetSnapshot | undefined,
): 'running' | 'notRunning' | undefined {
  if (!snapshot) return undefined;
  if (snapshot.dockerUnreachable) return 'notRunning';
  return snapshot.error === undefined ? 'running' : undefined;
}

export interface JobsModelOptions {
  /** Jobs listed per target (newest first). */
  readonly maxJobs?: number;
  /** Describe calls in flight at once. */
  readonly concurrency?: number;
}

/** A target the view lists; the selected one (`tfod.target`) comes first. */
export interface ShownTarget {
  readonly kind: TargetKind;
  readonly selected: boolean;
}

/** A group of the tree: a target, and what its last listing found (none yet while it runs). */
export interface TargetGroup extends ShownTarget {
  readonly snapshot?: TargetSnapshot;
}

/** `tfod.jobs.targets`: every target with something to show, or only the selected one. */
export type JobsViewTargets = 'all' | 'selected';

/**
 * The targets to list: the selected one first, then (with `all`) the others in their usual order,
 * of those in `listable` (default: all of them).
 */
export function shownTargets(
  selected: TargetKind,
  mode: JobsViewTargets,
  listable: readonly TargetKind[] = TARGET_KINDS,
): ShownTarget[] {
  const others =
    mode === 'all'
      ? TARGET_KINDS.filter((kind) => kind !== selected && listable.includes(kind))
      : [];
  return [{ kind: selected, selected: true }, ...others.map((kind) => ({ kind, selected: false }))];
}

function hasItems(snapshot: TargetSnapshot | undefined): boolean {
  return !!snapshot && (snapshot.jobs.length > 0 || snapshot.endpoints.length > 0);
}

export class JobsModel {
  private shown: readonly ShownTarget[] = [];
  private readonly snapshots = new Map<TargetKind, TargetSnapshot>();
  private readonly settled = new Map<string, TrainingJobDetails>();

  constructor(private readonly options: JobsModelOptions = {}) {}

  /** Which targets to list, selected first; forgets the snapshots of the others. */
  show(targets: readonly ShownTarget[]): void {
    this.shown = [...targets];
    for (const kind of this.snapshots.keys()) if (!this.isShown(kind)) this.snapshots.delete(kind);
  }

  isShown(kind: TargetKind): boolean {
    return this.shown.some((t) => t.kind === kind);
  }

  isSelected(kind: TargetKind): boolean {
    return this.shown.some((t) => t.kind === kind && t.selected);
  }

  snapshot(kind: TargetKind): TargetSnapshot | undefined {
    return this.snapshots.get(kind);
  }

  /** The group of a shown target, whether or not the tree shows it now. */
  group(kind: TargetKind): TargetGroup | undefined {
    const shown = this.shown.find((t) => t.kind === kind);
    return shown && { ...shown, snapshot: this.snapshots.get(kind) };
  }

  /**
   * The groups the tree shows, selected first. The selected target shows with its jobs, its
   * endpoints or its error, and whenever another group shows (so it is always the first one). The
   * others show only with jobs or endpoints (those of an earlier listing too, beside the error of
   * this one): failing to list a target the user did not select (no AWS credentials, Docker not
   * running) is no reason to show it. Nothing to show gives no groups, and the view's welcome
   * content appears.
   */
  groups(): TargetGroup[] {
    const groups = this.shown.map((t) => ({ ...t, snapshot: this.snapshots.get(t.kind) }));
    const others = groups.filter((g) => !g.selected && hasItems(g.snapshot));
    const selected = groups.find((g) => g.selected);
    // Docker not running with nothing listed is a state of the view, not a row: the welcome
    // content says so, with Retry and how to start Docker (package.json, `tfod:docker`).
    const selectedShows =
      !!selected &&
      (hasItems(selected.snapshot) ||
        (selected.snapshot?.error !== undefined && !selected.snapshot.dockerUnreachable));
    if (!selected || (!selectedShows && others.length === 0)) return others;
    return [selected, ...others];
  }

  /**
   * Lists one target again; returns whether anything on it is still changing by itself. A target
   * that is not there (the local target without a workspace folder) has nothing to show. A result
   * for a target no longer shown is dropped.
   */
  async refreshTarget(
    kind: TargetKind,
    target: Target | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (!target) {
      if (this.isShown(kind)) this.snapshots.set(kind, { kind, jobs: [], endpoints: [] });
      return false;
    }
    try {
      const [jobs, endpoints] = await Promise.all([
        target.listTrainingJobs({ maxResults: this.options.maxJobs ?? 50, signal }),
        target.listEndpoints(signal),
      ]);
      const entries = await this.describeAll(target, jobs, signal);
      if (!this.isShown(kind)) return false;
      this.snapshots.set(kind, { kind, jobs: entries, endpoints });
      return (
        entries.some((e) => isTrainingJobActive(e.details?.status ?? e.summary.status)) ||
        endpoints.some((e) => isEndpointActive(e.status))
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      if (!this.isShown(kind)) return false;
      const previous = this.snapshots.get(kind);
      this.snapshots.set(kind, {
        kind,
        jobs: previous?.jobs ?? [],
        endpoints: previous?.endpoints ?? [],
        error: errorMessage(error),
        ...(isDockerUnreachable(error) ? { dockerUnreachable: true } : {}),
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

import { ActivityPoller, type Target } from '../../core/jobs';
import { isTargetKind, TARGET_KINDS, type TargetKind } from '../../core/target';
import type { JobsModel, ShownTarget } from './jobsModel';

export interface JobsRefreshOptions {
  /** The targets to list now, selected first (from the settings). */
  readonly shown: () => readonly ShownTarget[];
  /** The target of a kind, built on first use; undefined when it is not there. */
  readonly target: (kind: TargetKind) => Target | undefined;
  /** What the view shows changed (a listing settled, the shown targets changed): render again. */
  readonly onDidChange: () => void;
  /** Whether to go on polling a target with something in progress (the view is visible). */
  readonly keepPolling: () => boolean;
  /** Milliseconds between polls of a target with something in progress. */
  readonly intervalMs: number;
  /** Listing a target that is not the selected one failed: not shown, only worth a debug line. */
  readonly onUnselectedError?: (kind: TargetKind, message: string) => void;
  /**
   * Listing the selected target failed: shown in the view, and worth a line in the log, once per
   * change of the reason (not at every poll).
   */
  readonly onSelectedError?: (kind: TargetKind, message: string) => void;
  /** A poll failed for another reason than listing (a bug). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps the jobs model fresh with one poller per target, so each group renders as soon as its own
 * listing settles: a slow or failing target (SageMaker resolving credentials for seconds where
 * there are none) never holds back another, not even a kick that comes while it is in flight. A
 * target polls again only while something on it is in progress, and only while it is shown: a
 * target that is not shown is never built or listed.
 */
export class JobsRefresh {
  private readonly pollers = new Map<TargetKind, ActivityPoller>();
  /** The last error of each target's listing, so a failure that persists is logged once. */
  private readonly logged = new Map<TargetKind, string | undefined>();

  constructor(
    private readonly model: JobsModel,
    private readonly options: JobsRefreshOptions,
  ) {
    for (const kind of TARGET_KINDS)
      this.pollers.set(
        kind,
        new ActivityPoller((signal) => this.poll(kind, signal), {
          intervalMs: options.intervalMs,
          onError: options.onError,
        }),
      );
  }

  /** Reads which targets are shown (forgetting the others at once) and lists each again. */
  kick(): void {
    const shown = this.options.shown();
    this.model.show(shown);
    this.options.onDidChange();
    for (const { kind } of shown) this.pollers.get(kind)?.kick();
  }

  dispose(): void {
    for (const poller of this.pollers.values()) poller.dispose();
  }

  private async poll(kind: TargetKind, signal: AbortSignal): Promise<boolean> {
    if (!this.model.isShown(kind)) return false;
    const active = await this.model.refreshTarget(kind, this.options.target(kind), signal);
    const error = this.model.snapshot(kind)?.error;
    if (error !== undefined && !this.model.isSelected(kind))
      this.options.onUnselectedError?.(kind, error);
    if (error !== undefined && this.model.isSelected(kind) && this.logged.get(kind) !== error)
      this.options.onSelectedError?.(kind, error);
    this.logged.set(kind, error);
    this.options.onDidChange();
    return active && this.options.keepPolling();
  }
}

/** The part of VS Code's Memento (workspaceState) UsedTargets needs. */
export interface TargetMemory {
  get<T>(key: string, defaultValue: T): T;
  update(key: string, value: unknown): PromiseLike<void>;
}

/**
 * The targets a workspace has selected, remembered in its workspaceState. Another target is
 * listed when it is local (Docker on this machine, nothing to sign in to) or once it has been
 * selected here: a local user with an AWS profile that prompts (MFA, credential_process) is never
 * asked for it by a target they did not choose.
 */
export class UsedTargets {
  static readonly KEY = 'tfod.jobs.usedTargets';
  private readonly used: Set<TargetKind>;

  constructor(private readonly memory: TargetMemory) {
    const saved = memory.get<unknown>(UsedTargets.KEY, []);
    this.used = new Set(Array.isArray(saved) ? saved.filter(isTargetKind) : []);
  }

  /** The targets that may be listed now that `selected` is; remembers `selected`. */
  listable(selected: TargetKind): TargetKind[] {
    if (!this.used.has(selected)) {
      this.used.add(selected);
      void this.memory.update(UsedTargets.KEY, [...this.used]);
    }
    return [...new Set<TargetKind>(['local', ...this.used])];
  }
}

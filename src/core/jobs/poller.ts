/**
 * Polls while something is in progress and stops when nothing is: the jobs view refreshes every
 * few seconds while a job trains or an endpoint is being created, and makes no calls at all once
 * everything has settled (a refresh, a started job or a deploy kicks it again).
 */
export interface ActivityPollerOptions {
  /** Milliseconds between polls while something is active. */
  readonly intervalMs: number;
  /** A failed poll is reported here and polling pauses until the next kick (no retry storm). */
  readonly onError?: (error: unknown) => void;
}

/** `poll` refreshes whatever it watches and returns whether anything is still in progress. */
export type Poll = (signal: AbortSignal) => Promise<boolean>;

export class ActivityPoller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private kickedWhileInFlight = false;
  private disposed = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly poll: Poll,
    private readonly options: ActivityPollerOptions,
  ) {}

  /** True while a poll runs or the next one is scheduled. */
  get active(): boolean {
    return this.inFlight || this.timer !== undefined;
  }

  /** Polls now (or right after the poll in flight), then keeps going while anything is active. */
  kick(): void {
    if (this.disposed) return;
    this.clearTimer();
    if (this.inFlight) {
      this.kickedWhileInFlight = true;
      return;
    }
    void this.run();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.controller.abort();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.inFlight = true;
    let again = false;
    try {
      again = await this.poll(this.controller.signal);
    } catch (error) {
      if (!this.disposed) this.options.onError?.(error);
      again = false;
    } finally {
      this.inFlight = false;
    }
    if (this.disposed) return;
    if (this.kickedWhileInFlight) {
      this.kickedWhileInFlight = false;
      void this.run();
    } else if (again) {
      this.timer = setTimeout(() => void this.run(), this.options.intervalMs);
    }
  }
}

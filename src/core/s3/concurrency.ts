import { CancelledError } from '../errors';

/** Runs at most `limit` tasks at a time, in the order they asked. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Waits `ms`, or rejects with CancelledError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** Tries after the first; 0 tries once. */
  readonly retries: number;
  /** The first wait; each later wait doubles, with up to 25% jitter. */
  readonly baseDelayMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Errors that retrying cannot fix end at once. */
  readonly isRetryable?: (error: unknown) => boolean;
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

/** Delay before retry `attempt` (1-based): base * 2^(attempt-1), jittered, capped at 30 s. */
export function backoffDelay(attempt: number, baseDelayMs: number, random = Math.random): number {
  const exact = Math.min(30_000, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exact * (1 + 0.25 * random()));
}

export async function withRetries<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (options.signal?.aborted || error instanceof CancelledError) throw error;
      if (attempt >= options.retries || options.isRetryable?.(error) === false) throw error;
      const delay = backoffDelay(attempt + 1, options.baseDelayMs);
      options.onRetry?.(attempt + 1, error, delay);
      await sleep(delay, options.signal);
    }
  }
}

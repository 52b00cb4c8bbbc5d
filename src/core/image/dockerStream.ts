import { CancelledError } from '../errors';

/** One JSON message of the Docker Engine's build or push stream. */
export interface DockerStreamEvent {
  readonly stream?: string;
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly aux?: Record<string, unknown>;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string; readonly code?: number };
}

/**
 * Reads a newline-delimited JSON stream to its end, handing each event to `onEvent`. Rejects with
 * CancelledError when the signal fires (and destroys the stream, which closes the request, which
 * makes the engine stop the build or push). Error events are passed on, not thrown: the caller
 * knows what they mean.
 */
export function readDockerStream(
  stream: NodeJS.ReadableStream,
  onEvent: (event: DockerStreamEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      finish(new CancelledError());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const handleLine = (line: string) => {
      if (line.trim() === '') return;
      let event: DockerStreamEvent;
      try {
        event = JSON.parse(line) as DockerStreamEvent;
      } catch {
        event = { stream: `${line}\n` };
      }
      try {
        onEvent(event);
      } catch (error) {
        finish(error);
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        handleLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      handleLine(buffered);
      finish();
    });
    stream.on('close', () => finish(signal?.aborted ? new CancelledError() : undefined));
    stream.on('error', (error: unknown) => finish(signal?.aborted ? new CancelledError() : error));
  });
}

/** The message of an error event. */
export function eventError(event: DockerStreamEvent): string | undefined {
  return event.error ?? event.errorDetail?.message;
}

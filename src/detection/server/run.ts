import { createServingApp, type ServingAppOptions } from './app';
import { growHeapForServing } from './heap';
import type { ServingSettings } from './settings';

export interface RunServerOptions extends Omit<
  ServingAppOptions,
  'modelDir' | 'timeoutMs' | 'workers' | 'gpus'
> {
  readonly settings: ServingSettings;
  /** Called once every worker has loaded the model and the server answers /ping with 200. */
  readonly onReady?: (url: string) => void;
}

/**
 * Serves until SIGTERM or SIGINT, then drains (every request received is answered, within
 * DEFAULT_DRAIN_MS) and resolves. One process speaks HTTP; `settings.workers` inference worker
 * processes decode and detect. Rejects when the model cannot be loaded (or can no longer be), so
 * the process exits non-zero and SageMaker reports the endpoint as failed. The process is taken
 * to do nothing else: its heap is tuned for serving ({@link growHeapForServing}).
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  growHeapForServing();
  const app = createServingApp({
    ...options,
    modelDir: settings.modelDir,
    timeoutMs: settings.timeoutMs,
    workers: settings.workers,
    ...(settings.gpus.length > 0 ? { gpus: settings.gpus } : {}),
  });
  const stopped = shutdownSignal();
  let address;
  try {
    address = await app.listen(settings.port, settings.host);
  } catch (error) {
    stopped.dispose();
    await app.close(0);
    throw error;
  }
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${address.port}`;
  log(
    `listening on ${url}; loading the model in ${settings.workers} inference worker${settings.workers === 1 ? '' : 's'}${settings.gpus.length > 0 ? ` over GPU ${settings.gpus.join(', ')}` : ''}`,
  );
  let failure: Error | undefined;
  try {
    await Promise.race([app.ready, stopped.signal]);
    if (!stopped.fired) {
      options.onReady?.(url);
      const reason = await Promise.race([app.failed, stopped.signal]);
      if (typeof reason === 'string') failure = new Error(reason);
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  stopped.dispose();
  if (failure) {
    await app.close(0);
    throw failure;
  }
  log(`${stopped.fired} received: draining`);
  await app.close();
}

/** A promise that settles on the first SIGTERM or SIGINT, with its name. */
function shutdownSignal(): {
  readonly signal: Promise<void>;
  readonly fired: string | undefined;
  dispose(): void;
} {
  let fired: string | undefined;
  let resolve: () => void = () => undefined;
  const signal = new Promise<void>((r) => (resolve = r));
  const onTerm = () => fire('SIGTERM');
  const onInt = () => fire('SIGINT');
  const fire = (name: string) => {
    if (fired) return;
    fired = name;
    resolve();
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    signal,
    get fired() {
      return fired;
    },
    dispose() {
      // Keep listening so a second signal during the drain does not kill the process outright.
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.on('SIGTERM', () => undefined);
      process.on('SIGINT', () => undefined);
    },
  };
}

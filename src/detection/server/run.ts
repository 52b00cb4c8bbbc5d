import cluster, { type Worker } from 'node:cluster';
import { createServingApp, type ServingAppOptions } from './app';
import type { ServingSettings } from './settings';

export interface RunServerOptions extends Omit<ServingAppOptions, 'modelDir' | 'timeoutMs'> {
  readonly settings: ServingSettings;
  /** Called once this process (or, with workers, the first of them) serves with the model loaded. */
  readonly onReady?: (url: string) => void;
}

interface WorkerMessage {
  readonly tfod?: 'ready' | 'failed';
  readonly error?: string;
}

/**
 * Serves until SIGTERM or SIGINT, then drains the requests in flight and resolves. With more than
 * one worker this process becomes a node:cluster primary that forks the workers (each re-runs the
 * same program and lands in the single-process branch), shares the port among them, restarts one
 * that dies, and forwards the shutdown. Rejects when the model cannot be loaded, so the process
 * exits non-zero and SageMaker reports the endpoint as failed.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  if (options.settings.workers > 1 && cluster.isPrimary) return runPrimary(options);
  return runSingle(options);
}

async function runSingle(options: RunServerOptions): Promise<void> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  const app = createServingApp({
    ...options,
    modelDir: settings.modelDir,
    timeoutMs: settings.timeoutMs,
  });
  const stopped = shutdownSignal();
  const address = await app.listen(settings.port, settings.host);
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${address.port}`;
  log(`listening on ${url}${cluster.isWorker ? ` (worker ${cluster.worker?.id})` : ''}`);
  try {
    await Promise.race([app.ready, stopped.signal]);
  } catch (error) {
    process.send?.({
      tfod: 'failed',
      error: error instanceof Error ? error.message : String(error),
    } satisfies WorkerMessage);
    await app.close(0);
    throw error;
  }
  if (!stopped.fired) {
    process.send?.({ tfod: 'ready' } satisfies WorkerMessage);
    // With workers, the primary announces the server once, for all of them.
    if (!cluster.isWorker) options.onReady?.(url);
    await stopped.signal;
  }
  log(`${stopped.fired} received: draining`);
  stopped.dispose();
  await app.close();
  // A worker's IPC channel to the primary would keep this process alive after the last request.
  if (cluster.isWorker) process.disconnect?.();
}

async function runPrimary(options: RunServerOptions): Promise<void> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  const stopped = shutdownSignal();
  const live = new Set<Worker>();
  let announced = false;
  let failure: string | undefined;

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    let readyOnce = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message?.tfod === 'ready') {
        readyOnce = true;
        if (!announced) {
          announced = true;
          const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
          options.onReady?.(`http://${host}:${settings.port}`);
        }
      } else if (message?.tfod === 'failed') {
        failure = message.error;
      }
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      if (stopped.fired) return;
      if (!readyOnce) {
        // A worker that never loaded the model will not do better on a restart.
        failure ??= `worker ${worker.id} exited (${signal ?? code}) before the model was loaded`;
        stopped.fire('worker failure');
        return;
      }
      log(`worker ${worker.id} exited (${signal ?? code}); starting another`);
      fork();
    });
  };

  log(`starting ${settings.workers} workers`);
  for (let i = 0; i < settings.workers; i++) fork();
  await stopped.signal;
  stopped.dispose();
  log(`${stopped.fired}: stopping ${live.size} worker(s)`);
  await Promise.all(
    [...live].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
  if (failure) throw new Error(failure);
}

/** A promise that settles on the first SIGTERM or SIGINT (or an explicit fire), with its name. */
function shutdownSignal(): {
  readonly signal: Promise<void>;
  readonly fired: string | undefined;
  fire(reason: string): void;
  dispose(): void;
} {
  let fired: string | undefined;
  let resolve: () => void = () => undefined;
  const signal = new Promise<void>((r) => (resolve = r));
  const fire = (reason: string) => {
    if (fired) return;
    fired = reason;
    resolve();
  };
  const onTerm = () => fire('SIGTERM');
  const onInt = () => fire('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  // A worker whose primary is gone has nobody to forward signals to it: stop too.
  if (cluster.isWorker) process.once('disconnect', () => fire('primary exited'));
  return {
    signal,
    get fired() {
      return fired;
    },
    fire,
    dispose() {
      // Keep listening so a second signal during the drain does not kill the process outright.
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.on('SIGTERM', () => undefined);
      process.on('SIGINT', () => undefined);
    },
  };
}

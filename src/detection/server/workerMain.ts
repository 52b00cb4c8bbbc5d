// What an inference worker does (inferenceWorker.ts is the program): it loads the model once,
// then decodes and detects one image at a time as the server sends them. Everything slow or
// synchronous happens here, so the server's event loop always answers /ping and its timers fire.
import { loadDetector, type Detector } from '../detector';
import { ImageDecodeError, ImageTooLargeError } from '../errors';
import { decodeImage } from '../image';
import type { FromWorker, ToWorker, WorkerConfig } from './workerProtocol';

function send(message: FromWorker, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

async function detect(detector: Detector, message: ToWorker & { type: 'detect' }): Promise<void> {
  const { id } = message;
  try {
    const started = performance.now();
    const image = decodeImage(message.image);
    const decoded = performance.now();
    const prediction = await detector.detect(
      image,
      message.threshold === undefined ? {} : { threshold: message.threshold },
    );
    const timing = { decodeMs: decoded - started, detectMs: performance.now() - decoded };
    send({ type: 'result', id, prediction, timing });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof ImageTooLargeError)
      send({ type: 'refused', id, status: 413, error: text });
    else if (error instanceof ImageDecodeError)
      send({ type: 'refused', id, status: 400, error: `the image cannot be read: ${text}` });
    else {
      // The stack goes to the server's log (this process's stderr is read into it).
      if (error instanceof Error && error.stack) console.error(error.stack);
      send({ type: 'error', id, error: text });
    }
  }
}

/**
 * Runs this process as an inference worker of the serving process (it must have been forked with
 * an IPC channel). `onReady`, for the serving benchmark, gets the loaded detector and a way to run
 * work in turn with the images (never at once with one).
 */
export function runInferenceWorker(
  onReady?: (detector: Detector, inTurn: (work: () => Promise<void>) => void) => void,
): void {
  if (!process.send)
    throw new Error('servingWorker.js runs as an inference worker of the serving process');
  // Signals are the server's: Ctrl+C reaches the whole process group, and a worker must finish
  // the request it runs while the server drains. It stops when told to, or when the server is
  // gone.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.on('disconnect', () => process.exit(0));
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

  loadDetector(config.modelDir, config.backend ? { backend: config.backend } : {}).then(
    (detector) => {
      // One job at a time, in the order they came: the server may send the next one while this
      // one runs (so it is here the moment this one is answered), never more than that.
      let queue = Promise.resolve();
      const inTurn = (work: () => Promise<void>) => {
        // detect() answers its own failures; anything else goes to the server's log, and the
        // images after it still run.
        queue = queue.then(work).catch((error: unknown) => {
          console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        });
      };
      process.on('message', (message: ToWorker) =>
        inTurn(async () => {
          if (message.type === 'stop') {
            detector.dispose();
            process.disconnect();
          } else if (message.type === 'detect') await detect(detector, message);
        }),
      );
      onReady?.(detector, inTurn);
      send({
        type: 'ready',
        model: {
          dir: detector.folder.dir,
          format: detector.format,
          layout: detector.layout.kind,
          backend: detector.backend,
          runtimeVersion: detector.runtimeVersion,
          runtimeNotes: detector.runtimeNotes,
        },
      });
    },
    (error: unknown) => {
      process.exitCode = 1;
      send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }, () =>
        process.disconnect(),
      );
    },
  );
}

// An inference worker: a child process of the server (forked by workerPool.ts; bundled as
// servingWorker.js beside dist/cli.js and container/dist/serve.js). It loads the model once, then
// decodes and detects one image at a time as the server sends them. Everything slow or
// synchronous happens here, so the server's event loop always answers /ping and its timers fire.
import { loadDetector, type Detector } from '../detector';
import { ImageDecodeError, ImageTooLargeError } from '../errors';
import { decodeImage } from '../image';
import type { FromWorker, ToWorker, WorkerConfig } from './workerProtocol';

if (!process.send)
  throw new Error('servingWorker.js runs as an inference worker of the serving process');

// Signals are the server's: Ctrl+C reaches the whole process group, and a worker must finish
// the request it runs while the server drains. It stops when told to, or when the server is gone.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

function send(message: FromWorker, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

async function detect(detector: Detector, message: ToWorker & { type: 'detect' }): Promise<void> {
  const { id } = message;
  try {
    const image = decodeImage(message.image);
    const prediction = await detector.detect(
      image,
      message.threshold === undefined ? {} : { threshold: message.threshold },
    );
    send({ type: 'result', id, prediction });
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

loadDetector(config.modelDir, config.backend ? { backend: config.backend } : {}).then(
  (detector) => {
    // One job at a time, in the order they came: the server may send the next one while this
    // one runs (so it is here the moment this one is answered), never more than that.
    let queue = Promise.resolve();
    process.on('message', (message: ToWorker) => {
      queue = queue.then(() => {
        if (message.type === 'stop') {
          detector.dispose();
          process.disconnect();
          return undefined;
        }
        return detect(detector, message);
      });
    });
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

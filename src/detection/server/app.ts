import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadDetector, type Detector } from '../detector';
import { ImageDecodeError } from '../errors';
import { decodeImage } from '../image';
import type { BackendChoice } from '../runtime';
import type { Prediction } from '../types';
import { MAX_BODY_BYTES, readBody } from './body';
import { HttpError } from './httpError';
import { checkContentType, parseInvocation } from './invocation';

/** The seed's MODEL_SERVER_TIMEOUT default, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

export interface ServingAppOptions {
  /** The model folder (`/opt/ml/model` in SageMaker). */
  readonly modelDir: string;
  /** A detector already loaded (or loading) to serve instead of loading `modelDir`; not disposed on close. */
  readonly detector?: Detector | Promise<Detector>;
  readonly backend?: BackendChoice;
  /** Per-request limit from arrival to answer; default MODEL_SERVER_TIMEOUT's 60 s. */
  readonly timeoutMs?: number;
  /** Largest request body; default 6 MB, SageMaker's own payload limit. */
  readonly maxBodyBytes?: number;
  /** One line per request and per state change; default silent. */
  readonly log?: (line: string) => void;
}

export interface ServingApp {
  readonly server: Server;
  /** Resolves once the model is loaded (`/ping` answers 200 from then on); rejects if it fails to. */
  readonly ready: Promise<Detector>;
  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops taking requests, lets those in flight finish (at most `graceMs`, default the request
   * timeout plus 5 s), closes every connection and, unless it was given one, the model.
   */
  close(graceMs?: number): Promise<void>;
  /** Requests being handled right now. */
  readonly inFlight: number;
}

/**
 * The SageMaker hosting contract over a detection model: `GET /ping` (200 once the model is
 * loaded, 503 before) and `POST /invocations` (JSON with a base64 image, or the raw JPEG/PNG),
 * answering `{"prediction": [[class_id, confidence, xmin, ymin, xmax, ymax], ...]}`. Every
 * refusal is a JSON `{"error": "..."}` that says what is wrong; no request can stop the server.
 */
export function createServingApp(options: ServingAppOptions): ServingApp {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  const ownsDetector = !options.detector;

  let detector: Detector | undefined;
  let loadError: string | undefined;
  const ready = Promise.resolve(
    options.detector ??
      loadDetector(options.modelDir, { ...(options.backend ? { backend: options.backend } : {}) }),
  ).then(
    (loaded) => {
      detector = loaded;
      log(
        `model ready: ${loaded.folder.dir} (${loaded.format}, ${loaded.layout.kind} outputs, ${loaded.backend} backend: ${loaded.runtimeVersion})`,
      );
      // The cpu backend is some 25 times slower than wasm: say why it was the one left.
      if (loaded.backend === 'cpu' && loaded.runtimeNotes.length > 0)
        log(`running on the slow cpu backend: ${loaded.runtimeNotes.join('; ')}`);
      return loaded;
    },
    (error: unknown) => {
      loadError = error instanceof Error ? error.message : String(error);
      log(`model failed to load: ${loadError}`);
      throw error;
    },
  );
  // The caller learns of a failed load through `ready`; this keeps an unobserved failure from
  // being an unhandled rejection.
  ready.catch(() => undefined);

  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    inFlight++;
    const started = performance.now();
    handle(request, response)
      .catch((error: unknown) => {
        // Only a bug gets here: handle() answers every expected failure itself.
        log(
          `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        send(response, 500, { error: 'internal server error' });
      })
      .finally(() => {
        inFlight--;
        // SageMaker pings every few seconds; only a failing ping is worth a line.
        if (!(request.url === '/ping' && response.statusCode === 200))
          log(
            `${request.method} ${request.url} ${response.statusCode} ${(performance.now() - started).toFixed(0)} ms`,
          );
        if (inFlight === 0) idle?.();
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Malformed HTTP (not even a request line) gets a 400 instead of a silent reset.
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // While draining, a request that already reached us is still answered (it is in flight as
    // far as its client knows), but its connection closes after the answer.
    if (draining) response.setHeader('connection', 'close');
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/ping') {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return send(
          response,
          405,
          { error: `${request.method} /ping is not supported; use GET` },
          { allow: 'GET, HEAD' },
        );
      if (draining) return send(response, 503, { error: 'the server is shutting down' });
      if (detector) return send(response, 200, { status: 'ready' });
      if (loadError)
        return send(response, 503, { error: `the model failed to load: ${loadError}` });
      return send(response, 503, { error: 'the model is still loading' });
    }
    if (path === '/invocations') {
      if (request.method !== 'POST')
        return send(
          response,
          405,
          { error: `${request.method} /invocations is not supported; use POST` },
          { allow: 'POST' },
        );
      return invoke(request, response);
    }
    return send(response, 404, {
      error: `no such endpoint: ${path}; use GET /ping or POST /invocations`,
    });
  }

  async function invoke(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const kind = checkContentType(request.headers['content-type']);
      const body = await untilAborted(readBody(request, maxBodyBytes), abort.signal);
      const attributes = request.headers['x-amzn-sagemaker-custom-attributes'];
      const invocation = parseInvocation(
        kind,
        body,
        Array.isArray(attributes) ? attributes[0] : attributes,
      );
      const model =
        detector ??
        (await untilAborted(
          ready.catch(() => undefined),
          abort.signal,
        ));
      if (!model) throw new HttpError(503, `the model failed to load: ${loadError}`);
      const image = decodeImage(invocation.image);
      const prediction: Prediction[] = await untilAborted(
        model.detect(image, {
          signal: abort.signal,
          ...(invocation.threshold === undefined ? {} : { threshold: invocation.threshold }),
        }),
        abort.signal,
      );
      send(response, 200, { prediction });
    } catch (error) {
      if (abort.signal.aborted && !(error instanceof HttpError))
        return send(response, 504, {
          error: `the request took longer than ${timeoutMs / 1000} s (MODEL_SERVER_TIMEOUT); the server is busy or the image is very large`,
        });
      if (error instanceof HttpError)
        return send(response, error.status, { error: error.message }, error.headers);
      if (error instanceof ImageDecodeError)
        return send(response, 400, { error: `the image cannot be read: ${error.message}` });
      if (request.destroyed) return; // the client went away mid-upload: nobody to answer
      log(
        `inference failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      send(response, 500, {
        error: `inference failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    server,
    ready,
    get inFlight() {
      return inFlight;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close(graceMs = timeoutMs + 5000) {
      if (!draining) {
        draining = true;
        log(`draining ${inFlight} request(s) in flight`);
      }
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
      server.closeIdleConnections();
      if (inFlight > 0) {
        const drained = new Promise<void>((resolve) => (idle = resolve));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([drained, deadline]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      if (ownsDetector && detector) detector.dispose();
      log('server closed');
    },
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** Rejects when `signal` aborts, without waiting for `promise` (which keeps running). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ImageDecodeError, ImageTooLargeError } from '../errors';
import { checkImageHeader } from '../imageHeader';
import type { BackendChoice } from '../runtime';
import { MAX_BODY_BYTES, readBody } from './body';
import { HttpError } from './httpError';
import { checkContentType, parseInvocation } from './invocation';
import { WorkerPool, type JobTiming } from './workerPool';
import type { ModelDescription } from './workerProtocol';

/** The seed's MODEL_SERVER_TIMEOUT default, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * How long a drain may take: SageMaker kills a hosting container 30 s after SIGTERM, and the
 * workers' exit and the process's own need a few seconds of that.
 */
export const DEFAULT_DRAIN_MS = 20_000;

/** Longest wait for a request's headers (Node's default); MODEL_SERVER_TIMEOUT when shorter. */
const MAX_HEADERS_TIMEOUT_MS = 60_000;

export interface ServingAppOptions {
  /** The model folder (`/opt/ml/model` in SageMaker). */
  readonly modelDir: string;
  readonly backend?: BackendChoice;
  /** Inference worker processes, each with its own copy of the model; default 1. */
  readonly workers?: number;
  /** GPU ids to spread the workers over, one each in turn (see `servingSettings`). */
  readonly gpus?: readonly string[];
  /** Per-request limit from arrival to answer; default MODEL_SERVER_TIMEOUT's 60 s. */
  readonly timeoutMs?: number;
  /** Largest request body; default 6 MB, SageMaker's own payload limit. */
  readonly maxBodyBytes?: number;
  /** How long {@link ServingApp.close} lets requests finish; default {@link DEFAULT_DRAIN_MS}. */
  readonly drainMs?: number;
  /** One line per request and per state change; default silent. */
  readonly log?: (line: string) => void;
  /** The inference worker program; default the bundled one. Tests pass a stand-in. */
  readonly workerScript?: string;
}

export interface ServingApp {
  readonly server: Server;
  /** Resolves once every worker has loaded the model (`/ping` answers 200 from then on); rejects if one cannot. */
  readonly ready: Promise<ModelDescription>;
  /** Resolves with the reason once the model can no longer be served (it failed to load). */
  readonly failed: Promise<string>;
  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops taking connections and answers every request already received: those that finish
   * within `graceMs` (default the app's `drainMs`) with their answer, the rest with a 503. Then
   * closes every connection and stops the workers.
   */
  close(graceMs?: number): Promise<void>;
  /** Requests received and not yet answered, waiting for a worker or not. */
  readonly inFlight: number;
}

interface Pending {
  readonly response: ServerResponse;
  /** Aborted once the answer is no longer wanted: sent, timed out, or the client left. */
  readonly cancel: AbortController;
  /** When the request arrived, on `performance.now()`'s clock. */
  readonly started: number;
  /** Where an answered invocation's time went (for the log line). */
  timing?: JobTiming;
}

/**
 * The SageMaker hosting contract over a detection model: `GET /ping` (200 once the model is
 * loaded, 503 before) and `POST /invocations` (JSON with a base64 image, or the raw JPEG/PNG),
 * answering `{"prediction": [[class_id, confidence, xmin, ymin, xmax, ymax], ...]}`. Every
 * answer, refusals included, is JSON; `{"error": "..."}` says what is wrong.
 *
 * This process's event loop only speaks HTTP: it reads bodies, refuses what it can from the
 * request and the image's header, and queues the rest for the inference workers (workerPool.ts),
 * which decode and detect. So /ping answers and timeouts fire however long an image takes.
 */
export function createServingApp(options: ServingAppOptions): ServingApp {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const log = options.log ?? (() => undefined);
  const seconds = `${timeoutMs / 1000} s`;

  const pool = new WorkerPool({
    modelDir: options.modelDir,
    workers: options.workers ?? 1,
    jobLimitMs: timeoutMs,
    log,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.gpus ? { gpus: options.gpus } : {}),
    ...(options.workerScript ? { script: options.workerScript } : {}),
  });

  let draining = false;
  let idle: (() => void) | undefined;
  const pending = new Set<Pending>();
  const sockets = new Set<Socket>();

  const server = createServer(
    {
      // The request timeout is ours (MODEL_SERVER_TIMEOUT, answered in JSON); Node's own would
      // cut an upload off with its plain-text 408. Headers still have to arrive in time.
      requestTimeout: 0,
      headersTimeout: Math.min(MAX_HEADERS_TIMEOUT_MS, timeoutMs),
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
    },
    (request, response) => {
      const started = performance.now();
      const entry: Pending = { response, cancel: new AbortController(), started };
      pending.add(entry);
      response.once('close', () => {
        pending.delete(entry);
        entry.cancel.abort();
        const ms = (performance.now() - started).toFixed(0);
        if (!response.writableFinished)
          log(
            `${request.method} ${request.url}: the client closed the connection after ${ms} ms, before the answer`,
          );
        // SageMaker pings every few seconds; only a failing ping is worth a line.
        else if (!(request.url === '/ping' && response.statusCode === 200))
          log(
            `${request.method} ${request.url} ${response.statusCode} ${ms} ms${entry.timing ? ` (${describeTiming(entry.timing)})` : ''}`,
          );
        if (pending.size === 0) idle?.();
      });
      handle(request, response, entry).catch((error: unknown) => {
        // Only a bug gets here: handle() answers every expected failure itself.
        log(
          `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        send(response, 500, { error: 'internal server error' });
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // What never became a request (not HTTP, headers over Node's 16 KB, headers that did not
  // arrive in time) is answered here, in JSON too, unless an answer was already begun.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const begun = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || begun) {
      socket.destroy();
      return;
    }
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are over the 16 KB limit']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, `the request headers did not arrive within ${server.headersTimeout / 1000} s`]
          : [
              400,
              `the request is not valid HTTP/1.1 (${error.code ?? error.message}); send GET /ping or POST /invocations`,
            ];
    log(`${status} before a request could be read: ${message}`);
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    entry: Pending,
  ): Promise<void> {
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
      if (pool.isReady) return send(response, 200, { status: 'ready' });
      if (pool.loadError) return send(response, 503, { error: pool.loadError });
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
      return invoke(request, response, entry);
    }
    return send(response, 404, {
      error: `no such endpoint: ${path}; use GET /ping or POST /invocations`,
    });
  }

  async function invoke(
    request: IncomingMessage,
    response: ServerResponse,
    entry: Pending,
  ): Promise<void> {
    const cancelled = entry.cancel.signal;
    const uploading = new AbortController();
    let phase: 'body' | 'answer' = 'body';
    const timer = setTimeout(() => {
      if (phase === 'body') {
        send(
          response,
          408,
          {
            error: `the request body did not arrive within ${seconds} (MODEL_SERVER_TIMEOUT)`,
          },
          { connection: 'close' },
        );
        uploading.abort(new Error('timed out'));
      } else
        send(response, 504, {
          error: `the request took longer than ${seconds} (MODEL_SERVER_TIMEOUT); the server is busy or the image is very large`,
        });
    }, timeoutMs);
    try {
      const kind = checkContentType(request.headers['content-type']);
      const body = await readBody(request, maxBodyBytes, uploading.signal);
      phase = 'answer';
      const attributes = request.headers['x-amzn-sagemaker-custom-attributes'];
      const invocation = parseInvocation(
        kind,
        body,
        Array.isArray(attributes) ? attributes[0] : attributes,
      );
      // A bomb is refused from its header here, without waiting behind other images.
      checkImageHeader(invocation.image);
      const waiting = performance.now();
      // An invocation that arrives while the model loads waits for it (within its timeout).
      if (!pool.isReady && !pool.loadError)
        await untilAborted(
          pool.ready.catch(() => undefined),
          cancelled,
        );
      const outcome = await pool.run(invocation.image, invocation.threshold, cancelled, waiting);
      switch (outcome.kind) {
        case 'prediction':
          // Not when a timeout or the drain answered first: the log line says what was sent.
          if (!response.headersSent && !response.destroyed) entry.timing = outcome.timing;
          return send(
            response,
            200,
            { prediction: outcome.prediction },
            { 'server-timing': serverTiming(outcome.timing, performance.now() - entry.started) },
          );
        case 'refused':
          return send(response, outcome.status, { error: outcome.error });
        case 'unavailable':
          return send(response, 503, { error: outcome.error });
        case 'failed':
          log(`inference failed: ${outcome.error}`);
          return send(response, 500, { error: `inference failed: ${outcome.error}` });
        case 'cancelled':
          return; // answered already (a timeout, the drain's deadline) or nobody to answer
      }
    } catch (error) {
      if (error instanceof HttpError)
        return send(response, error.status, { error: error.message }, error.headers);
      if (error instanceof ImageTooLargeError) return send(response, 413, { error: error.message });
      if (error instanceof ImageDecodeError)
        return send(response, 400, { error: `the image cannot be read: ${error.message}` });
      // Anything else here is the upload ending early (the client left, or its time ran out and
      // it got a 408) or the wait for the model cut short: answered already, or nobody to answer.
      if (uploading.signal.aborted || cancelled.aborted || request.destroyed) return;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  const whenIdle = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (pending.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    server,
    ready: pool.ready,
    failed: pool.failed,
    get inFlight() {
      return pending.size;
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
    async close(graceMs = drainMs) {
      if (!draining) {
        draining = true;
        log(`draining ${pending.size} request(s)`);
      }
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
      server.closeIdleConnections();
      await whenIdle(graceMs);
      if (pending.size > 0) {
        log(`${pending.size} request(s) not done after ${graceMs / 1000} s: answering 503`);
        for (const { response, cancel } of pending) {
          send(response, 503, {
            error: `the server is shutting down and could not finish this request within ${graceMs / 1000} s; send it again`,
          });
          cancel.abort();
        }
        await whenIdle(1000);
      }
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      await pool.stop();
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

/**
 * The `Server-Timing` header of an answered invocation (milliseconds): `queue` waiting for a
 * worker (or for the model to load), the worker's `decode` and `detect`, and `total` from the
 * request's arrival to its answer, so a client sees what the server itself added (total less the
 * rest: reading the body, passing the image to a worker and the answer back).
 */
function serverTiming(timing: JobTiming, totalMs: number): string {
  const metric = (name: string, ms: number) => `${name};dur=${ms.toFixed(1)}`;
  return [
    metric('queue', timing.queueMs),
    metric('decode', timing.decodeMs),
    metric('detect', timing.detectMs),
    metric('total', totalMs),
  ].join(', ');
}

function describeTiming(timing: JobTiming): string {
  const ms = (value: number) => value.toFixed(0);
  return `queue ${ms(timing.queueMs)} ms, decode ${ms(timing.decodeMs)} ms, detect ${ms(timing.detectMs)} ms`;
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

// `npm run bench:serve`: how serving scales. Images per second, p50/p99 latency through
// POST /invocations and /ping's p99 under that load, with 1 and 2 inference workers at 1, 2 and 4
// concurrent clients, beside the bare detection engine (decode + detect in a process of its own,
// with a worker's Node.js flags) on the same images in the same run, two bare engines in two
// processes at once (what this machine itself gives two workers), and the server's own round
// trip with a worker that answers at once.
// What the server adds at one client is each request's latency less its worker's own decode and
// detect, which the answer's Server-Timing header carries: both from the same request, so no
// difference between two processes enters it. Printed beside it: the same worker process with
// and without the server (loopWorker.ts runs the bare loop in turns with the images it serves),
// and the comparison with the bare engine, which is two processes.
// This process holds the server and the load generator only, as in production the serving
// process holds no model, and its heap is set as runServer sets the serving process's. The
// server is the serving container's own code (src/detection/server, its workers on the backend
// this machine has: wasm here, tfjs-node in the image). Prints figures; it asserts nothing (speed
// goals live here, not in tests).
//   npm run bench:serve            BENCH_ROUNDS=n: rounds of the four photos per run (default 30)
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDetector } from '../../src/detection';
import { createServingApp, growHeapForServing, type ServingApp } from '../../src/detection/server';
import { workerExecArgv } from '../../src/detection/server/workerPool';
import { fixtures } from '../integration/serving/fixtures';
import { STUB_WORKER, stubModel } from '../integration/serving/stub';
import { bareRun, PHOTOS } from './serveLoop';

const LOOP_WORKER = join(__dirname, 'loopWorker.ts');
const LOOP_ROW = 'loop in a serving worker';
const SAME_WORKER_ROW = 'that worker, 1 client';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WORKERS = [1, 2];
const CLIENTS = [1, 2, 4];
const PING_EVERY_MS = 50;
/** Rounds in each turn of the bare engine and the server with one worker (see main). */
const BLOCK = 5;

interface Figures {
  readonly label: string;
  readonly count: number;
  readonly seconds: number;
  readonly latencies: number[];
  /** Each request's worker time (its Server-Timing decode + detect), in the same order. */
  readonly workerMs?: number[];
  readonly pings?: number[];
}

/** A request's milliseconds, and its worker's decode + detect from Server-Timing if it said. */
interface Timed {
  readonly ms: number;
  readonly workerMs?: number;
}

/** decode + detect from a Server-Timing header, if it has them. */
function workerMsOf(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string') return undefined;
  const dur = (name: string) => Number(new RegExp(`\\b${name};dur=([\\d.]+)`).exec(header)?.[1]);
  const ms = dur('decode') + dur('detect');
  return Number.isFinite(ms) ? ms : undefined;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const imagesPerSecond = (f: Figures) => f.count / f.seconds;

function row(f: Figures): string {
  return [
    f.label.padEnd(28),
    imagesPerSecond(f).toFixed(2).padStart(9),
    percentile(f.latencies, 50).toFixed(1).padStart(9),
    percentile(f.latencies, 99).toFixed(1).padStart(9),
    (f.pings ? percentile(f.pings, 99).toFixed(1) : '').padStart(11),
  ].join(' ');
}

function call(agent: Agent, port: number, method: string, path: string, body?: Buffer) {
  return new Promise<Timed>((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        headers: body ? { 'content-type': 'image/png', 'content-length': body.length } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - started;
          const workerMs = workerMsOf(res.headers['server-timing']);
          if (res.statusCode === 200) resolve(workerMs === undefined ? { ms } : { ms, workerMs });
          else reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `work` while /ping is sent every {@link PING_EVERY_MS}; returns its result and the pings. */
async function withPings<T>(port: number, work: () => Promise<T>): Promise<[T, number[]]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const pings: number[] = [];
  let done = false;
  const pinger = (async () => {
    while (!done) {
      pings.push((await call(agent, port, 'GET', '/ping')).ms);
      await new Promise((r) => setTimeout(r, PING_EVERY_MS));
    }
  })();
  try {
    return [await work(), pings];
  } finally {
    done = true;
    await pinger;
    agent.destroy();
  }
}

/** `total` images from `clients` concurrent keep-alive clients, with /ping sent alongside. */
async function load(port: number, images: Buffer[], clients: number, total: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const workerMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const [, pings] = await withPings(port, () =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < total) {
          // Kept in the order sent: with one client, request i is photo i % images.length.
          const at = next++;
          const answer = await call(
            agent,
            port,
            'POST',
            '/invocations',
            images[at % images.length],
          );
          latencies[at] = answer.ms;
          workerMs[at] = answer.workerMs ?? NaN;
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies, workerMs, pings };
}

/** Has loopWorker.ts run the bare engine's loop over `count` images; each one's milliseconds. */
function loopInWorker(socket: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket, () => connection.write(String(count)));
    let text = '';
    connection.on('data', (data) => (text += data.toString()));
    connection.on('end', () => resolve(JSON.parse(text) as number[]));
    connection.on('error', reject);
  });
}

/** A bare engine in a process of its own, loaded and warm. */
interface BareEngine {
  /** Decodes and detects `count` images (the photos in turn); each one's milliseconds. */
  run(count: number): Promise<number[]>;
  stop(): void;
}

/** Starts `processes` bare engines; resolves once all are warm, with the backend they run on. */
async function startBareEngines(processes: number): Promise<[BareEngine[], string]> {
  const children = Array.from({ length: processes }, () =>
    // With a worker's own Node.js flags: the bare engine is a worker without HTTP and IPC.
    fork(__filename, ['--bare'], { execArgv: workerExecArgv(process.execArgv) }),
  );
  const ready = children.map(
    (child) => new Promise<string>((resolve) => child.once('message', (m: string) => resolve(m))),
  );
  const [backend = ''] = await Promise.all(ready);
  const engines = children.map((child) => ({
    run: (count: number) =>
      new Promise<number[]>((resolve) => {
        child.once('message', (latencies: number[]) => resolve(latencies));
        child.send(count);
      }),
    stop: () => child.disconnect(),
  }));
  return [engines, backend];
}

/** `engines` all running `count` images each at once: their total images/s. */
async function bareTogether(
  engines: readonly BareEngine[],
  count: number,
): Promise<Omit<Figures, 'label'>> {
  const started = performance.now();
  const results = await Promise.all(engines.map((engine) => engine.run(count)));
  return {
    count: engines.length * count,
    seconds: (performance.now() - started) / 1000,
    latencies: results.flat(),
  };
}

/** The child side of {@link startBareEngines}: load and warm, say so, run when told, send back. */
async function bareChild(): Promise<void> {
  const { modelDir, photo } = fixtures();
  const images = PHOTOS.map((name) => photo(name));
  const detector = await loadDetector(modelDir);
  await bareRun(detector, images, 2 * images.length);
  process.send!(detector.runtimeVersion);
  process.on('message', (count: number) => {
    void bareRun(detector, images, count).then((latencies) => process.send!(latencies));
  });
  process.on('disconnect', () => process.exit(0));
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
    throw new Error(
      `BENCH_ROUNDS must be a whole number of rounds, 1 or more (got '${process.env.BENCH_ROUNDS}')`,
    );
  // The serving process's heap, as runServer sets it for `tfod serve` and the container.
  growHeapForServing();
  const { modelDir, photo } = fixtures();
  const images = PHOTOS.map((name) => photo(name));
  const total = ROUNDS * images.length;

  const servers = new Map<number, { app: ServingApp; port: number }>();
  for (const workers of WORKERS) {
    const app = createServingApp({ modelDir, workers });
    await app.ready;
    const { port } = await app.listen(0, '127.0.0.1');
    // Warm every worker up (its first images compile the graph's kernels).
    await load(port, images, workers, 2 * images.length * workers);
    servers.set(workers, { app, port });
  }
  const figures = new Map<string, Figures>();
  const add = (label: string, run: Omit<Figures, 'label'>) => {
    const sum = figures.get(label);
    figures.set(label, {
      label,
      count: (sum?.count ?? 0) + run.count,
      seconds: (sum?.seconds ?? 0) + run.seconds,
      latencies: [...(sum?.latencies ?? []), ...run.latencies],
      ...(run.workerMs ? { workerMs: [...(sum?.workerMs ?? []), ...run.workerMs] } : {}),
      ...(run.pings ? { pings: [...(sum?.pings ?? []), ...run.pings] } : {}),
    });
  };
  const label = (workers: number, clients: number) =>
    `${workers} worker${workers === 1 ? '' : 's'}, ${clients} client${clients === 1 ? '' : 's'}`;
  // Two bare engines: one beside the server with one worker, both at once for the machine's own
  // figure for two workers.
  const [pair, backend] = await startBareEngines(2);
  const bare = pair[0]!;
  const oneWorker = servers.get(1)!.port;
  // The server's overhead: the bare engine and the server with one worker and one client take
  // turns, BLOCK rounds of the photos each, so both see the machine much as it is at that
  // moment. (Turns of one round made the first image of each turn slower, the server's more than
  // the bare engine's: a process that resumes after another one computed starts cold.) The
  // same pings go to the server while the bare engine runs.
  const block = Math.min(BLOCK, ROUNDS) * images.length;
  for (let done = 0; done < total; done += block) {
    const [run] = await withPings(oneWorker, () => bareTogether([bare], block));
    add('bare engine', run);
    add(label(1, 1), { count: block, ...(await load(oneWorker, images, 1, block)) });
  }
  // Throughput: every other configuration runs in two halves, the second after all the first
  // ones, so a change in the machine's load during the run (this is often a shared machine)
  // weighs on all alike.
  for (let half = 0; half < 2; half++) {
    for (const workers of WORKERS)
      for (const clients of CLIENTS) {
        if (workers === 1 && clients === 1) continue;
        add(label(workers, clients), {
          count: total / 2,
          ...(await load(servers.get(workers)!.port, images, clients, total / 2)),
        });
      }
    add('bare engine x2 processes', await bareTogether(pair, total / 4));
  }
  for (const engine of pair) engine.stop();
  for (const { app } of servers.values()) await app.close();
  // The server's own part of a request: the same photos through HTTP and the copy to a worker
  // process that answers at once (the serving tests' stand-in worker, which decodes nothing).
  const stub = createServingApp({ modelDir: stubModel(), workers: 1, workerScript: STUB_WORKER });
  await stub.ready;
  const { port: stubPort } = await stub.listen(0, '127.0.0.1');
  await load(stubPort, images, 1, 2 * images.length);
  add('server, instant worker', { count: total, ...(await load(stubPort, images, 1, total)) });
  await stub.close();
  // The same process and model with and without the server: a serving worker that also runs the
  // bare engine's loop when asked (loopWorker.ts), its loop and one client taking turns as above.
  const loopSocket = join(tmpdir(), `tfod-bench-loop-${process.pid}.sock`);
  process.env.BENCH_LOOP_SOCKET = loopSocket;
  const looping = createServingApp({ modelDir, workers: 1, workerScript: LOOP_WORKER });
  try {
    await looping.ready;
    const { port: loopPort } = await looping.listen(0, '127.0.0.1');
    await load(loopPort, images, 1, 2 * images.length);
    for (let done = 0; done < total; done += block) {
      const started = performance.now();
      const [latencies] = await withPings(loopPort, () => loopInWorker(loopSocket, block));
      add(LOOP_ROW, { count: block, seconds: (performance.now() - started) / 1000, latencies });
      add(SAME_WORKER_ROW, { count: block, ...(await load(loopPort, images, 1, block)) });
    }
  } finally {
    await looping.close();
    rmSync(loopSocket, { force: true });
    delete process.env.BENCH_LOOP_SOCKET;
  }
  console.log(
    `model: ${modelDir}\nbackend: ${backend}\nimages: ${PHOTOS.join(', ')} (PNG), ${total} per run; ${availableParallelism()} CPUs\n`,
  );
  const bareRows = ['bare engine', 'bare engine x2 processes', LOOP_ROW, 'server, instant worker'];
  const results = [
    ...bareRows.map((name) => figures.get(name)!),
    ...[...figures.values()].filter((f) => !bareRows.includes(f.label)),
  ];

  console.log(
    `${'what'.padEnd(28)} ${'images/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'/ping p99'.padStart(11)}`,
  );
  for (const result of results) console.log(row(result));
  const find = (name: string) => figures.get(name)!;
  console.log('');
  for (const clients of [2, 4]) {
    const ratio =
      imagesPerSecond(find(label(2, clients))) / imagesPerSecond(find(label(1, clients)));
    console.log(
      `2 workers against 1 at ${clients} clients: ${ratio.toFixed(2)}x the images/s (goal on 2 cores: at least 1.7x)`,
    );
  }
  const ceiling =
    imagesPerSecond(find('bare engine x2 processes')) / imagesPerSecond(find('bare engine'));
  console.log(
    `2 bare engines in 2 processes against 1: ${ceiling.toFixed(2)}x (what this machine gives two workers)`,
  );
  // Paired by photo: the four photos' latencies differ by more than the overhead does.
  const byPhoto = (f: Figures) =>
    images.map((_, photo) =>
      percentile(
        f.latencies.filter((_, i) => i % images.length === photo),
        50,
      ),
    );
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const percent = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
  const alone = byPhoto(find('bare engine'));
  const oneClient = find(label(1, 1));
  const served = byPhoto(oneClient);
  // The same requests' worker time, from their Server-Timing (decode + detect by the worker's
  // clock): the latency less it is what the server added to that very request.
  const worked = byPhoto({ ...oneClient, latencies: oneClient.workerMs! });
  const added = byPhoto({
    ...oneClient,
    latencies: oneClient.latencies.map((ms, i) => ms - oneClient.workerMs![i]!),
  });
  const addedShare = mean(added.map((ms, i) => ms / worked[i]!)) * 100;
  console.log(
    `server overhead at 1 client: ${percent(addedShare)} (goal: under 5%): each request's latency less its worker's own decode and detect (Server-Timing), p50 per photo against the worker's, averaged`,
  );
  console.log(
    `  per photo: ${PHOTOS.map((name, i) => `${name} ${worked[i]!.toFixed(1)} + ${added[i]!.toFixed(1)} ms`).join(', ')}`,
  );
  const own = byPhoto(find('server, instant worker'));
  console.log(
    `  the server's round trip with a worker that answers at once (HTTP and the copies to the worker): ${mean(own).toFixed(2)} ms`,
  );
  // Checked without comparing two processes: the same worker process and model with and without
  // the server in front.
  const loop = byPhoto(find(LOOP_ROW));
  const sameWorker = byPhoto(find(SAME_WORKER_ROW));
  const againstLoop = mean(loop.map((b, i) => (sameWorker[i]! - b) / b)) * 100;
  console.log(
    `  latency at 1 client against the same worker's own loop (one process and model, with and without the server, taking turns): ${percent(againstLoop)}; per photo ${PHOTOS.map((name, i) => `${name} ${loop[i]!.toFixed(1)} -> ${sameWorker[i]!.toFixed(1)} ms`).join(', ')}`,
  );
  // Whether inference itself runs slower in a serving worker: two processes compared, so this
  // also carries what sets two processes apart on this machine (see docs/architecture.md).
  const slower = mean(alone.map((b, i) => (worked[i]! - b) / b)) * 100;
  console.log(
    `  the worker's decode and detect against the bare engine's (two processes, taking turns): ${percent(slower)}`,
  );
  const whole = mean(alone.map((b, i) => (served[i]! - b) / b)) * 100;
  console.log(
    `  latency at 1 client against the bare engine's (two processes; the server's part and the worker's together): ${percent(whole)}; per photo ${PHOTOS.map((name, i) => `${name} ${alone[i]!.toFixed(1)} -> ${served[i]!.toFixed(1)} ms`).join(', ')}`,
  );
  const slowestPing = Math.max(...results.flatMap((r) => r.pings ?? []));
  console.log(
    `slowest /ping under load: ${slowestPing.toFixed(1)} ms (SageMaker's limit: 2000 ms)`,
  );
}

(process.argv.includes('--bare') ? bareChild() : main()).catch((error: unknown) => {
  console.error(`bench:serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

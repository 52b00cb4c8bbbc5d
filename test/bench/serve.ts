// `npm run bench:serve`: how serving scales. Images per second, p50/p99 latency through
// POST /invocations and /ping's p99 under that load, with 1 and 2 inference workers at 1, 2 and 4
// concurrent clients, beside the bare detection engine (decode + detect in a process of its own,
// with a worker's Node.js flags) on the same images in the same run, two bare engines in two
// processes at once (what this machine itself gives two workers), and the server's own round
// trip with a worker that answers at once. This process holds the server and the load generator
// only, as in production the serving process holds no model, and its heap is set as runServer
// sets the serving process's. The server is the serving container's own code
// (src/detection/server, its workers on the backend this machine has: wasm here, tfjs-node in the
// image). Prints figures; it asserts nothing (speed goals live here, not in tests).
//   npm run bench:serve            BENCH_ROUNDS=n: rounds of the four photos per run (default 30)
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { decodeImage, loadDetector, type Detector } from '../../src/detection';
import { createServingApp, growHeapForServing, type ServingApp } from '../../src/detection/server';
import { workerExecArgv } from '../../src/detection/server/workerPool';
import { fixtures, type PhotoName } from '../integration/serving/fixtures';
import { STUB_WORKER, stubModel } from '../integration/serving/stub';

const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
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
  readonly pings?: number[];
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
  return new Promise<number>((resolve, reject) => {
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
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`)),
        );
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
      pings.push(await call(agent, port, 'GET', '/ping'));
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
  let next = 0;
  const started = performance.now();
  const [, pings] = await withPings(port, () =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < total) {
          const image = images[next++ % images.length]!;
          latencies.push(await call(agent, port, 'POST', '/invocations', image));
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies, pings };
}

/** Decodes and detects each image in turn; returns each one's milliseconds. */
async function bareRun(
  detector: Detector,
  images: readonly Buffer[],
  count: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await detector.detect(decodeImage(images[i % images.length]!));
    latencies.push(performance.now() - started);
  }
  return latencies;
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
  console.log(
    `model: ${modelDir}\nbackend: ${backend}\nimages: ${PHOTOS.join(', ')} (PNG), ${total} per run; ${availableParallelism()} CPUs\n`,
  );
  const bareRows = ['bare engine', 'bare engine x2 processes', 'server, instant worker'];
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
  const alone = byPhoto(find('bare engine'));
  const served = byPhoto(find(label(1, 1)));
  const own = byPhoto(find('server, instant worker'));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const overhead = mean(alone.map((b, i) => (served[i]! - b) / b)) * 100;
  console.log(
    `server overhead at 1 client (each photo's p50 against the bare engine's, averaged): ${overhead.toFixed(1)}% (goal: under 5%)`,
  );
  console.log(
    `  per photo: ${PHOTOS.map((name, i) => `${name} ${alone[i]!.toFixed(1)} -> ${served[i]!.toFixed(1)} ms`).join(', ')}`,
  );
  const ownShare = mean(alone.map((b, i) => own[i]! / b)) * 100;
  console.log(
    `  the server's own round trip (HTTP and the copy to a worker that answers at once): ${mean(own).toFixed(2)} ms, ${ownShare.toFixed(1)}% of the bare engine's time`,
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

// `npm run bench:serve`: how serving scales. Images per second, p50/p99 latency through
// POST /invocations and /ping's p99 under that load, with 1 and 2 inference workers at 1, 2 and 4
// concurrent clients, beside the bare detection engine (decode + detect in a process of its own)
// on the same images in the same run, and two bare engines in two processes at once (what this
// machine itself gives two workers). This process holds the server and the load generator only,
// as in production the serving process holds no model: a model loaded here would make its garbage
// collections (which the requests' buffers set off) mark the model's graph too. The server is the serving container's own code (src/detection/server,
// its workers on the backend this machine has: wasm here, tfjs-node in the image). Prints
// figures; it asserts nothing (speed goals live here, not in tests).
//   npm run bench:serve            BENCH_ROUNDS=n: rounds of the four photos per run (default 10)
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { decodeImage, loadDetector, type Detector } from '../../src/detection';
import { createServingApp, type ServingApp } from '../../src/detection/server';
import { fixtures, type PhotoName } from '../integration/serving/fixtures';

const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WORKERS = [1, 2];
const CLIENTS = [1, 2, 4];
const PING_EVERY_MS = 50;

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

/**
 * `processes` bare engines in processes of their own, started together: total images/s; and the
 * backend they ran on.
 */
async function bareProcesses(
  processes: number,
  count: number,
): Promise<Omit<Figures, 'label'> & { backend: string }> {
  const children = Array.from({ length: processes }, () =>
    fork(__filename, ['--bare', String(count)], { execArgv: process.execArgv }),
  );
  const ready = children.map(
    (child) => new Promise<string>((resolve) => child.once('message', (m: string) => resolve(m))),
  );
  const [backend = ''] = await Promise.all(ready);
  const started = performance.now();
  const results = await Promise.all(
    children.map(
      (child) =>
        new Promise<number[]>((resolve) => {
          child.once('message', (latencies: number[]) => resolve(latencies));
          child.send('go');
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  // Each child exits once it has sent its figures; one may still be connected.
  for (const child of children) if (child.connected) child.disconnect();
  return {
    count: processes * count,
    seconds,
    latencies: results.flat(),
    backend,
  };
}

/** The child side of {@link bareProcesses}: load and warm, say so, run when told, send back. */
async function bareChild(count: number): Promise<void> {
  const { modelDir, photo } = fixtures();
  const images = PHOTOS.map((name) => photo(name));
  const detector = await loadDetector(modelDir);
  await bareRun(detector, images, 2 * images.length);
  process.send!(detector.runtimeVersion);
  process.once('message', () => {
    void bareRun(detector, images, count).then((latencies) => process.send!(latencies));
  });
}

async function main(): Promise<void> {
  const { modelDir, photo } = fixtures();
  const images = PHOTOS.map((name) => photo(name));
  const total = ROUNDS * images.length;
  let backend = '';

  // Every configuration runs in two halves, the second after all the first ones, so a change
  // in the machine's load during the run (this is often a shared machine) weighs on all alike.
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
  for (let half = 0; half < 2; half++) {
    // The bare engine (decode + detect: what one request costs without HTTP and a worker) right
    // before the server with one client, with the same pings going on.
    const [bare] = await withPings(servers.get(1)!.port, () => bareProcesses(1, total / 2));
    backend = bare.backend;
    add('bare engine', bare);
    for (const workers of WORKERS)
      for (const clients of CLIENTS)
        add(label(workers, clients), {
          count: total / 2,
          ...(await load(servers.get(workers)!.port, images, clients, total / 2)),
        });
    add('bare engine x2 processes', await bareProcesses(2, total / 4));
  }
  for (const { app } of servers.values()) await app.close();
  console.log(
    `model: ${modelDir}\nbackend: ${backend}\nimages: ${PHOTOS.join(', ')} (PNG), ${total} per run; ${availableParallelism()} CPUs\n`,
  );
  const bareRows = ['bare engine', 'bare engine x2 processes'];
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
  const bareP50 = percentile(find('bare engine').latencies, 50);
  const overhead = ((percentile(find(label(1, 1)).latencies, 50) - bareP50) / bareP50) * 100;
  console.log(`server overhead at 1 client (p50): ${overhead.toFixed(1)}% (goal: under 5%)`);
  const slowestPing = Math.max(...results.flatMap((r) => r.pings ?? []));
  console.log(
    `slowest /ping under load: ${slowestPing.toFixed(1)} ms (SageMaker's limit: 2000 ms)`,
  );
}

const bareAt = process.argv.indexOf('--bare');
(bareAt >= 0 ? bareChild(Number(process.argv[bareAt + 1])) : main()).catch((error: unknown) => {
  console.error(`bench:serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

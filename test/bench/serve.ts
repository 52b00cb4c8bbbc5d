// `npm run bench:serve`: images per second and p50/p99 latency through POST /invocations at 1, 2
// and 4 concurrent clients, side by side with the bare detection engine on the same images in
// the same run. The server is the serving container's own code (src/detection/server), in this
// process, one worker, on the backend this machine has (wasm here; tfjs-node in the image).
// Prints figures; it asserts nothing (speed goals live here, not in tests).
import { request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeImage, loadDetector } from '../../src/detection';
import { createServingApp } from '../../src/detection/server';
import { fixtures, type PhotoName } from '../integration/serving/fixtures';

const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = 4;

interface Figures {
  readonly label: string;
  readonly count: number;
  readonly seconds: number;
  readonly latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function row(f: Figures): string {
  const sorted = [...f.latencies].sort((a, b) => a - b);
  const cells = [
    f.label.padEnd(24),
    (f.count / f.seconds).toFixed(2).padStart(9),
    percentile(sorted, 50).toFixed(1).padStart(9),
    percentile(sorted, 99).toFixed(1).padStart(9),
  ];
  return cells.join(' ');
}

function post(agent: Agent, port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/invocations',
        method: 'POST',
        agent,
        headers: { 'content-type': 'image/png', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { modelDir, photo } = fixtures();
  const images = PHOTOS.map((name) => photo(name));
  const detector = await loadDetector(modelDir);
  console.log(
    `model: ${modelDir}\nbackend: ${detector.runtimeVersion}\nimages: ${PHOTOS.join(', ')} (PNG), ${ROUNDS} rounds\n`,
  );

  const app = createServingApp({ modelDir, detector });
  await app.ready;
  const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
  const one = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < WARMUP; i++) {
    await detector.detect(decodeImage(images[i % images.length]!));
    await post(one, port, images[i % images.length]!);
  }

  // Bare engine (decode + detect, what one request costs without HTTP) and the server with one
  // client, in alternating rounds so that both see the same machine load.
  const bare: number[] = [];
  const served: number[] = [];
  let bareSeconds = 0;
  let servedSeconds = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    for (const image of images) {
      const t = performance.now();
      await detector.detect(decodeImage(image));
      bare.push(performance.now() - t);
    }
    bareSeconds += (performance.now() - t0) / 1000;
    t0 = performance.now();
    for (const image of images) served.push(await post(one, port, image));
    servedSeconds += (performance.now() - t0) / 1000;
  }
  one.destroy();
  const bareFigures: Figures = {
    label: 'bare engine',
    count: bare.length,
    seconds: bareSeconds,
    latencies: bare,
  };
  const results: Figures[] = [
    {
      label: '/invocations, 1 client',
      count: served.length,
      seconds: servedSeconds,
      latencies: served,
    },
  ];
  for (const clients of [2, 4]) {
    const agent = new Agent({ keepAlive: true, maxSockets: clients });
    const latencies: number[] = [];
    const total = ROUNDS * images.length;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < total) {
          const image = images[next++ % images.length]!;
          latencies.push(await post(agent, port, image));
        }
      }),
    );
    results.push({
      label: `/invocations, ${clients} clients`,
      count: total,
      seconds: (performance.now() - started) / 1000,
      latencies,
    });
    agent.destroy();
  }
  await app.close();

  console.log(
    `${'what'.padEnd(24)} ${'images/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}`,
  );
  console.log(row(bareFigures));
  for (const figures of results) console.log(row(figures));
  const bareP50 = percentile(
    [...bare].sort((a, b) => a - b),
    50,
  );
  const oneClient = results[0]!;
  const serverP50 = percentile(
    [...oneClient.latencies].sort((a, b) => a - b),
    50,
  );
  const overhead = ((serverP50 - bareP50) / bareP50) * 100;
  console.log(`\nserver overhead at 1 client (p50): ${overhead.toFixed(1)}% (goal: under 5%)`);
}

main().catch((error: unknown) => {
  console.error(`bench:serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

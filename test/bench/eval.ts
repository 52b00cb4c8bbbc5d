// `npm run bench:eval`: how long the COCO metrics take for 5,000 images' detections, ours beside
// pycocotools' COCOeval (bbox) on the same files in the same run, and whether the twelve numbers
// agree. Both are timed from data in memory to the summary (pycocotools: evaluate + accumulate +
// summarize; ours: CocoEvaluator over the same JSON). Prints figures; asserts nothing.
// Needs pycocotools from test/harness/setup.sh integration.
//   npm run bench:eval      BENCH_IMAGES=n (default 5000), BENCH_RUNS=n (default 3)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCocoDataset, SUMMARY_KEYS } from '../../src/detection/evaluation';
import { randomCase } from '../integration/evaluation/datasets';
import { pycocotoolsPython } from '../integration/evaluation/pycocotools';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function main(): void {
  const c = randomCase(5000, { images: IMAGES, categories: 20, maxObjects: 15, maxClutter: 40 });
  const dir = mkdtempSync(join(tmpdir(), 'tfod-bench-eval-'));
  try {
    const gtPath = join(dir, 'gt.json');
    const dtPath = join(dir, 'dt.json');
    writeFileSync(gtPath, JSON.stringify(c.dataset));
    writeFileSync(dtPath, JSON.stringify(c.results));
    console.log(
      `${IMAGES} images, ${c.dataset.categories.length} classes, ${c.dataset.annotations.length} ground-truth objects, ${c.results.length} detections; median of ${RUNS} runs`,
    );

    const ours: number[] = [];
    let summary = evaluateCocoDataset(c.ourDataset, c.results).summary; // warm-up
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      summary = evaluateCocoDataset(c.ourDataset, c.results).summary;
      ours.push((performance.now() - started) / 1000);
    }
    const memory = process.memoryUsage().rss / 2 ** 20;

    const run = spawnSync(
      pycocotoolsPython(),
      [
        join(__dirname, '..', 'integration', 'evaluation', 'cocoeval_bench.py'),
        gtPath,
        dtPath,
        String(RUNS),
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (run.status !== 0) throw new Error(`pycocotools failed: ${run.stderr.slice(-2000)}`);
    const reference = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      seconds: number[];
      stats: number[];
    };

    const oursS = median(ours);
    const theirsS = median(reference.seconds);
    const row = (cells: string[]) =>
      cells.map((cell, i) => (i === 0 ? cell.padEnd(10) : cell.padStart(14))).join('');
    console.log(row(['', 'tfod', 'pycocotools']));
    console.log(row(['seconds', oursS.toFixed(3), theirsS.toFixed(3)]));
    console.log(row(['speed-up', `${(theirsS / oursS).toFixed(1)}x`, '1.0x']));
    let worst = 0;
    SUMMARY_KEYS.forEach((key, i) => {
      const theirs = reference.stats[i]!;
      worst = Math.max(worst, Math.abs(summary[key] - theirs));
      console.log(row([key, summary[key].toFixed(6), theirs.toFixed(6)]));
    });
    console.log(`largest difference in the twelve numbers: ${worst.toExponential(2)}`);
    console.log(`our process's resident memory after the runs: ${memory.toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();

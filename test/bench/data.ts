// `npm run bench:data` (test/bench/data.ts): images per second converting 2,000 JPEGs with their
// CSV annotations to TFRecords, `tfod data convert` beside TensorFlow's own Python writer (the
// tutorials' generate_tfrecord.py, tf_write_records.py) doing the same conversion in the same run.
// Prints a table; not a test. Needs the TensorFlow venv of the integration layer
// (test/harness/setup.sh integration). TFOD_CRC32C=js measures the JavaScript CRC-32C (the .vsix's).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertAnnotations } from '../../src/core/dataset';
import { crc32cImplementation } from '../../src/core/records/crc32c';
import { testCacheDir } from '../integration/harness/services';
import { jpegImage } from '../unit/dataset/fixtures';

const IMAGES = Number(process.env.TFOD_BENCH_IMAGES ?? 2000);
const RUNS = 3;
const python = join(testCacheDir(), 'tensorflow', 'bin', 'python');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** A JPEG made unique by a comment segment: distinct bytes, the pixels of a few base images. */
function unique(base: Buffer, i: number): Buffer {
  const text = Buffer.from(`tfod bench image ${i}`);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, 2), segment, text, base.subarray(2)]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-bench-data-'));
  try {
    const images = join(dir, 'images');
    mkdirSync(images);
    const bases = Array.from({ length: 8 }, (_, i) => jpegImage(640, 480, i));
    const rows = ['filename,width,height,class,xmin,ymin,xmax,ymax'];
    let bytes = 0;
    for (let i = 0; i < IMAGES; i++) {
      const name = `img${String(i).padStart(5, '0')}.jpg`;
      const data = unique(bases[i % bases.length] as Buffer, i);
      bytes += data.length;
      writeFileSync(join(images, name), data);
      for (let k = 0; k <= i % 3; k++)
        rows.push(
          `${name},640,480,${['cat', 'dog', 'bird'][k]},${10 + k * 50},20,${200 + k * 50},300`,
        );
    }
    const csv = join(images, 'labels.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    console.log(
      `${IMAGES} JPEGs of 640 x 480 (${(bytes / IMAGES / 1024).toFixed(0)} KiB each), ${rows.length - 1} boxes; median of ${RUNS} runs; our CRC-32C: ${crc32cImplementation() === 'native' ? '@node-rs/crc32' : 'JavaScript'}`,
    );

    const ours: number[] = [];
    const oneThread: number[] = [];
    const theirs: number[] = [];
    const convert = async (out: string, threads?: number) => {
      const start = performance.now();
      const result = await convertAnnotations({
        from: 'csv',
        input: csv,
        out,
        valFraction: 0,
        shards: 1,
        ...(threads !== undefined ? { threads } : {}),
      });
      if (result.images.train !== IMAGES)
        throw new Error(`ours wrote ${result.images.train} images`);
      return (performance.now() - start) / 1000;
    };
    for (let run = 0; run < RUNS; run++) {
      const out = join(dir, `ours-${run}`);
      ours.push(await convert(out));
      // The same with the images read on the main thread (no worker threads).
      oneThread.push(await convert(join(dir, `main-thread-${run}`), 0));
      rmSync(join(dir, `main-thread-${run}`), { recursive: true, force: true });
      const record = join(dir, `tf-${run}.record`);
      const tf = spawnSync(python, [join(__dirname, 'tf_write_records.py'), csv, images, record], {
        encoding: 'utf8',
      });
      if (tf.status !== 0)
        throw new Error(
          `TensorFlow's writer failed (${python}):\n${tf.error?.message ?? tf.stderr}`,
        );
      theirs.push((JSON.parse(tf.stdout) as { seconds: number }).seconds);
      if (run === 0)
        console.log(
          `record bytes: ours ${statSync(join(out, readdirSync(out).find((f) => f.startsWith('train')) as string)).size}, TensorFlow ${statSync(record).size}`,
        );
    }
    const line = (name: string, seconds: number) =>
      `${name.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${(IMAGES / seconds).toFixed(0).padStart(6)} images/s`;
    console.log(
      line(
        `tfod data convert (${Math.min(4, availableParallelism())} reading threads)`,
        median(ours),
      ),
    );
    console.log(line('tfod data convert (main thread only)', median(oneThread)));
    console.log(line("TensorFlow's Python writer (import excluded)", median(theirs)));
    console.log(`ratio: ${(median(theirs) / median(ours)).toFixed(2)}x TensorFlow's speed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

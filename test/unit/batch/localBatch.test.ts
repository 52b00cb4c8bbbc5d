import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listImages, runLocalBatch, type BatchSummary } from '../../../src/core/batch';
import { CancelledError, UserError } from '../../../src/core/errors';
import {
  encodePng,
  ModelFolderError,
  type Prediction,
  type RgbaImage,
} from '../../../src/detection';

const root = mkdtempSync(join(tmpdir(), 'tfod-batch-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A PNG whose width tells the stand-in detector which class to report. */
function png(width: number): Buffer {
  return Buffer.from(
    encodePng({ width, height: 2, data: new Uint8Array(width * 2 * 4).fill(255) }),
  );
}

function inputFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.png'), png(3));
  writeFileSync(join(dir, 'b.png'), png(4));
  writeFileSync(join(dir, 'broken.jpg'), 'not an image');
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  writeFileSync(join(dir, 'sub', 'c.png'), png(3));
  return dir;
}

const detectByWidth = async (image: RgbaImage): Promise<Prediction[]> => [
  [image.width, 0.9, 0, 0, 1, 1],
];

function readLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

describe('batch detection on this machine', () => {
  it('writes a line per image in order, an error line for a bad one, and the summary', async () => {
    const input = inputFolder('ok');
    const output = join(root, 'ok-out');
    const progress: string[] = [];
    const result = await runLocalBatch({
      input,
      output,
      recursive: true,
      model: 'stand-in',
      threshold: 0.5,
      detect: detectByWidth,
      names: new Map([[3, 'three']]),
      concurrency: 3,
      onProgress: (done, total, failed) => progress.push(`${done}/${total}/${failed}`),
    });
    assert.deepEqual(readLines(result.resultsPath), [
      { image: 'a.png', prediction: [[3, 0.9, 0, 0, 1, 1]] },
      { image: 'b.png', prediction: [[4, 0.9, 0, 0, 1, 1]] },
      { image: 'broken.jpg', error: readLinesError(result.resultsPath, 'broken.jpg') },
      { image: 'sub/c.png', prediction: [[3, 0.9, 0, 0, 1, 1]] },
    ]);
    assert.match(readLinesError(result.resultsPath, 'broken.jpg'), /not a JPEG or PNG/);
    assert.deepEqual(progress, ['1/4/0', '2/4/0', '3/4/1', '4/4/1']);
    const summary = JSON.parse(readFileSync(result.summaryPath, 'utf8')) as BatchSummary;
    assert.equal(summary.complete, true);
    assert.deepEqual(summary.classes, [
      { id: 3, name: 'three', detections: 2, images: 2 },
      { id: 4, detections: 1, images: 1 },
    ]);
    assert.equal(summary.failed, 1);
    assert.deepEqual(readdirSync(output).sort(), ['results.jsonl', 'summary.json']);
  });

  it('lists only the top folder unless recursive, and refuses a folder without images', async () => {
    const input = inputFolder('list');
    assert.deepEqual(await listImages(input, false), ['a.png', 'b.png', 'broken.jpg']);
    assert.deepEqual(await listImages(input, true), ['a.png', 'b.png', 'broken.jpg', 'sub/c.png']);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await assert.rejects(
      runLocalBatch({
        input: empty,
        output: join(root, 'empty-out'),
        model: 'm',
        threshold: 0.5,
        detect: detectByWidth,
      }),
      (error: unknown) => error instanceof UserError && /no JPEG or PNG images/.test(error.message),
    );
    await assert.rejects(listImages(join(root, 'missing'), false), UserError);
  });

  it('on cancel keeps what was done as results.partial.jsonl, never results.jsonl', async () => {
    const input = inputFolder('cancel');
    const output = join(root, 'cancel-out');
    // A complete run's files from before must not survive a cancelled one.
    mkdirSync(output);
    writeFileSync(join(output, 'results.jsonl'), '{"image":"old"}\n');
    writeFileSync(join(output, 'summary.json'), '{}');
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      runLocalBatch({
        input,
        output,
        recursive: true,
        model: 'm',
        threshold: 0.5,
        concurrency: 1,
        signal: controller.signal,
        detect: async (image) => {
          if (++calls === 2) controller.abort();
          return detectByWidth(image);
        },
      }),
      CancelledError,
    );
    assert.deepEqual(readdirSync(output).sort(), ['results.partial.jsonl', 'summary.partial.json']);
    const lines = readLines(join(output, 'results.partial.jsonl'));
    assert.deepEqual(lines, [
      { image: 'a.png', prediction: [[3, 0.9, 0, 0, 1, 1]] },
      { image: 'b.png', prediction: [[4, 0.9, 0, 0, 1, 1]] },
    ]);
    const summary = JSON.parse(
      readFileSync(join(output, 'summary.partial.json'), 'utf8'),
    ) as BatchSummary;
    assert.equal(summary.complete, false);
    assert.equal(summary.images, 2);
  });

  it('stops at a model that cannot run, leaving a partial result', async () => {
    const input = inputFolder('model');
    const output = join(root, 'model-out');
    await assert.rejects(
      runLocalBatch({
        input,
        output,
        model: 'm',
        threshold: 0.5,
        detect: async () => {
          throw new ModelFolderError('the graph uses op Foo, which TensorFlow.js lacks');
        },
      }),
      ModelFolderError,
    );
    assert.deepEqual(readdirSync(output).sort(), ['results.partial.jsonl', 'summary.partial.json']);
  });
});

function readLinesError(path: string, image: string): string {
  const line = readLines(path).find((l) => (l as { image: string }).image === image) as {
    error: string;
  };
  return line.error;
}

import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startEventFileSync, syncEventFiles } from '../../../container/src/training/tensorboard';

// `train` copies the TensorFlow event files out of the model_dir into /opt/ml/output/tensorboard
// (TensorBoardOutputConfig's LocalPath; the local job's output/tensorboard), with their folders.
describe('train: TensorBoard event files', () => {
  let root: string;
  let modelDir: string;
  let board: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tfod-tb-'));
    modelDir = join(root, 'checkpoints');
    board = join(root, 'output', 'tensorboard');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };

  it("copies TF2's train/ and eval/ and TF1's top-level and eval_0/ events, nothing else", () => {
    write(join(modelDir, 'train', 'events.out.tfevents.1700000000.algo-1.1.v2'), 'train');
    write(join(modelDir, 'eval', 'events.out.tfevents.1700000100.algo-1.2.v2'), 'eval');
    write(join(modelDir, 'events.out.tfevents.1700000000.algo-1'), 'tf1');
    write(join(modelDir, 'eval_0', 'events.out.tfevents.1700000200.algo-1'), 'tf1 eval');
    write(join(modelDir, 'ckpt-1.index'), 'checkpoint');
    write(join(modelDir, 'a', 'b', 'c', 'events.out.tfevents.deep'), 'too deep');
    assert.deepEqual(syncEventFiles(modelDir, board), [
      join('eval', 'events.out.tfevents.1700000100.algo-1.2.v2'),
      join('eval_0', 'events.out.tfevents.1700000200.algo-1'),
      'events.out.tfevents.1700000000.algo-1',
      join('train', 'events.out.tfevents.1700000000.algo-1.1.v2'),
    ]);
    assert.equal(
      readFileSync(join(board, 'train', 'events.out.tfevents.1700000000.algo-1.1.v2'), 'utf8'),
      'train',
    );
  });

  it('copies a file again only when it grew, and nothing when the model_dir is missing', () => {
    const events = join(modelDir, 'train', 'events.out.tfevents.1.algo-1.v2');
    write(events, 'step 1;');
    assert.equal(syncEventFiles(modelDir, board).length, 1);
    assert.deepEqual(syncEventFiles(modelDir, board), [], 'unchanged: not copied');
    appendFileSync(events, 'step 2;');
    assert.deepEqual(syncEventFiles(modelDir, board), [
      join('train', 'events.out.tfevents.1.algo-1.v2'),
    ]);
    assert.equal(
      readFileSync(join(board, 'train', 'events.out.tfevents.1.algo-1.v2'), 'utf8'),
      'step 1;step 2;',
    );
    assert.deepEqual(syncEventFiles(join(root, 'missing'), board), []);
  });

  it('copies on a timer while a step runs and once more at the end', async () => {
    const events = join(modelDir, 'train', 'events.out.tfevents.2.algo-1.v2');
    write(events, 'a');
    const lines: string[] = [];
    const sync = startEventFileSync(modelDir, board, (line) => lines.push(line), 20);
    const copy = join(board, 'train', 'events.out.tfevents.2.algo-1.v2');
    for (let i = 0; i < 100 && !readFileOr(copy); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readFileOr(copy), 'a', 'the timer copied it');
    appendFileSync(events, 'b');
    sync.stop();
    assert.equal(readFileOr(copy), 'ab', 'the last copy at stop');
    assert.deepEqual(lines, []);
  });

  it('warns once, and goes on, when the copy fails', () => {
    write(join(modelDir, 'train', 'events.out.tfevents.3'), 'x');
    writeFileSync(join(root, 'output'), 'a file where the folder should be');
    const lines: string[] = [];
    const sync = startEventFileSync(modelDir, board, (line) => lines.push(line), 60_000);
    sync.sync();
    sync.stop();
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^warning: could not copy the TensorBoard event files to .*training goes on$/,
    );
  });
});

function readFileOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

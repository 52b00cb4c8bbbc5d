import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BatchSummary } from '../../../src/core/batch';
import { COCO, fixtures } from '../serving/fixtures';
import { cli, tfod, type CliResult } from './harness';

// `tfod batch <model> --input <folder> --output <folder>`: the real COCO test model over the real
// photos, in this process's detector, as a user runs it.
describe('tfod batch on this machine', () => {
  let root: string;
  let input: string;

  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\` first`);
    root = mkdtempSync(join(tmpdir(), 'tfod-batch-cli-'));
    input = join(root, 'photos');
    mkdirSync(join(input, 'more'), { recursive: true });
    copyFileSync(fixtures().photoPath('chelsea'), join(input, 'chelsea.png'));
    copyFileSync(fixtures().photoPath('coffee'), join(input, 'more', 'coffee.png'));
    writeFileSync(join(input, 'truncated.jpg'), fixtures().photo('chelsea').subarray(0, 100));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function lines(path: string): { image: string; prediction?: number[][]; error?: string }[] {
    return readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { image: string; prediction?: number[][]; error?: string },
      );
  }

  it('finds the cat on chelsea, the cup in coffee, and one error line for a bad file', async () => {
    const output = join(root, 'out');
    const result = await tfod(
      process.env,
      'batch',
      fixtures().modelDir,
      '--input',
      input,
      '--output',
      output,
      '--recursive',
      '--json',
    );
    // A bad image fails the run's exit code, never the batch.
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /1 of 3 images could not be used/);
    const byImage = new Map(lines(join(output, 'results.jsonl')).map((l) => [l.image, l]));
    assert.deepEqual([...byImage.keys()], ['chelsea.png', 'more/coffee.png', 'truncated.jpg']);
    assert.ok(byImage.get('chelsea.png')?.prediction?.some((p) => p[0] === COCO.cat));
    assert.ok(byImage.get('more/coffee.png')?.prediction?.some((p) => p[0] === COCO.cup));
    assert.ok(byImage.get('truncated.jpg')?.error, 'the bad file has an error line');
    const summary = JSON.parse(result.stdout) as BatchSummary;
    assert.equal(summary.complete, true);
    assert.equal(summary.images, 3);
    assert.equal(summary.failed, 1);
    assert.ok(summary.classes.some((c) => c.id === COCO.cat && c.images === 1));
    assert.deepEqual(
      JSON.parse(readFileSync(join(output, 'summary.json'), 'utf8')) as BatchSummary,
      summary,
    );
    assert.deepEqual(readdirSync(output).sort(), ['results.jsonl', 'summary.json']);
  });

  it('on Ctrl+C keeps what was done as results.partial.jsonl and says so', async () => {
    const many = join(root, 'many');
    mkdirSync(many);
    for (let i = 0; i < 40; i++)
      copyFileSync(
        fixtures().photoPath('chelsea'),
        join(many, `chelsea-${String(i).padStart(2, '0')}.png`),
      );
    const output = join(root, 'many-out');
    const result = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [cli, 'batch', fixtures().modelDir, '--input', many, '--output', output],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The first progress line: images are being detected; interrupt as a user would.
        if (!interrupted && /\d+ of 40 images/.test(stderr)) interrupted = child.kill('SIGINT');
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /kept as results\.partial\.jsonl; it is not complete/);
    assert.deepEqual(readdirSync(output).sort(), ['results.partial.jsonl', 'summary.partial.json']);
    const done = lines(join(output, 'results.partial.jsonl'));
    assert.ok(done.length >= 1 && done.length < 40, `${done.length} lines`);
    const summary = JSON.parse(
      readFileSync(join(output, 'summary.partial.json'), 'utf8'),
    ) as BatchSummary;
    assert.equal(summary.complete, false);
    assert.equal(summary.images, done.length);
  });
});

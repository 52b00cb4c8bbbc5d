import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportJson, type EvaluationComparison } from '../../../src/core/evaluation';
import { sampleReport } from '../evaluation/sampleReport';

// `tfod evaluate compare <a.json> <b.json> [--json]` on files `tfod evaluate --json` writes,
// through the bundled CLI (dist/cli.js, `npm run build`).
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('tfod evaluate compare', () => {
  let dir: string;
  let a: string;
  let b: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-evaluate-compare-'));
    a = join(dir, 'a.json');
    b = join(dir, 'b.json');
    writeFileSync(a, reportJson(sampleReport()));
    writeFileSync(b, reportJson(sampleReport({ model: '/models/ssd-v2', findsTheLoneDog: true })));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function tfod(...args: string[]) {
    const result = spawnSync(process.execPath, [cli, 'evaluate', 'compare', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('prints the twelve numbers and AP per class side by side with B − A', () => {
    const { code, stdout, stderr } = tfod(a, b);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'the same data: no caution');
    assert.match(stdout, /^A {2}\/models\/ssd {5}2 images/m);
    assert.match(stdout, /^B {2}\/models\/ssd-v2 {2}2 images/m);
    assert.match(stdout, /^metric +what +A +B +B − A +better$/m);
    assert.match(stdout, /^AP +AP @ IoU \.50:\.95 +0\.450 +0\.\d{3} +\+0\.\d{3} +B$/m);
    assert.match(stdout, /^APs +AP small \(< 32²\) +-1 +-1 +– +–$/m);
    assert.match(stdout, /^2 +dog +2 \/ 2 +0\.000 +0\.505 +\+0\.505 +B$/m);
    assert.match(stdout, /^1 +cat, "big" +1 \/ 1 +0\.900 +0\.900 +±0\.000 +same$/m);
  });

  it('--json prints the comparison object, wherever --json stands', () => {
    for (const args of [
      [a, b, '--json'],
      ['--json', a, b],
    ]) {
      const { code, stdout } = tfod(...args);
      assert.equal(code, 0);
      const comparison = JSON.parse(stdout) as EvaluationComparison;
      assert.equal(comparison.b.model, '/models/ssd-v2');
      assert.deepEqual(
        comparison.metrics.slice(0, 1).map((m) => [m.key, m.better]),
        [['AP', 'b']],
      );
      assert.deepEqual(comparison.cautions, []);
    }
  });

  it('cautions on stderr when the two evaluations saw different data, and still compares', () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, reportJson(sampleReport({ withBird: true, records: ['test.record'] })));
    const { code, stdout, stderr } = tfod(a, other);
    assert.equal(code, 0);
    assert.match(stderr, /^tfod: warning: not the same data: A evaluated 2 images, B 3 images$/m);
    assert.match(stderr, /record files differ \(A: val\.record; B: test\.record\)/);
    assert.match(stdout, /^4 +– \/ 1 +0\.000 +– +only in B$/m);
  });

  it('names a file that is missing, not JSON or not an evaluation, exit 1, no stack trace', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'AP = 0.4');
    const detections = join(dir, 'detections.json');
    writeFileSync(
      detections,
      '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]',
    );
    for (const [file, message] of [
      [join(dir, 'nope.json'), /cannot read the evaluation .*nope\.json: no such file/],
      [broken, /broken\.json is not JSON/],
      [detections, /detections\.json is not an evaluation report: it holds no object/],
    ] as const) {
      const { code, stdout, stderr } = tfod(a, file);
      assert.equal(code, 1, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^tfod: error: /);
      assert.match(stderr, message);
      assert.match(stderr, /tfod evaluate --json > FILE/);
    }
    const missing = tfod(a);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'b\.json'/);
  });

  it('leaves `tfod evaluate` wanting its records', () => {
    const result = spawnSync(process.execPath, [cli, 'evaluate', '--model', dir], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /required option '-d, --data <records\.\.\.>' not specified/);
  });
});

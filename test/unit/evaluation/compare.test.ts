import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  compareReports,
  comparisonCsv,
  parseReportJson,
  readReportFile,
  reportJson,
  signedDelta,
} from '../../../src/core/evaluation';
import { UserError } from '../../../src/core/errors';
import { SUMMARY_KEYS } from '../../../src/detection/evaluation';
import { comparisonRows, curveOf } from '../../../media/evaluation/view';
import {
  isEvaluationPanelState,
  isWebviewMessage,
} from '../../../src/extension/evaluation/protocol';
import { sampleReport } from './sampleReport';

// Two evaluations side by side: B − A, which is better, classes matched by id and name, and a
// caution when the two did not see the same data.

const metric = (c: ReturnType<typeof compareReports>, key: string) =>
  c.metrics.find((m) => m.key === key)!;
const row = (c: ReturnType<typeof compareReports>, id: number) =>
  c.classes.filter((r) => r.categoryId === id);

describe('comparing two evaluations', () => {
  const a = sampleReport();
  const b = sampleReport({ model: '/models/ssd-v2', findsTheLoneDog: true });

  it('puts the twelve numbers side by side with B − A and the better side', () => {
    const c = compareReports(a, b);
    assert.deepEqual(
      c.metrics.map((m) => m.key),
      [...SUMMARY_KEYS],
    );
    const ap = metric(c, 'AP');
    assert.equal(ap.a, a.summary.AP);
    assert.equal(ap.b, b.summary.AP);
    assert.ok(ap.b > ap.a, 'finding the lone dog raises AP');
    assert.equal(ap.delta, b.summary.AP - a.summary.AP);
    assert.equal(ap.better, 'b');
    assert.equal(c.a.model, '/models/ssd');
    assert.equal(c.b.model, '/models/ssd-v2');
    assert.deepEqual(c.cautions, [], 'the same records, images and ground truth');
  });

  it('turns the direction round when A is the better one', () => {
    const c = compareReports(b, a);
    assert.equal(metric(c, 'AP').better, 'a');
    assert.ok(metric(c, 'AP').delta! < 0);
    assert.equal(row(c, 2)[0]!.better, 'a');
  });

  it('says nothing is better where COCO has nothing to measure (-1), and same for equal numbers', () => {
    const c = compareReports(a, b);
    assert.equal(a.summary.APs, -1, 'no small objects in the sample');
    assert.deepEqual(
      { delta: metric(c, 'APs').delta, better: metric(c, 'APs').better },
      { delta: null, better: 'none' },
    );
    const same = compareReports(a, sampleReport());
    assert.ok(same.metrics.every((m) => m.better === 'same' || m.better === 'none'));
    assert.equal(signedDelta(metric(same, 'AP').delta), '±0.000');
  });

  it('compares AP per class for classes with ground truth, matched by id and name', () => {
    const c = compareReports(a, b);
    assert.deepEqual(
      c.classes.map((r) => [r.categoryId, r.name, r.presence]),
      [
        [1, 'cat, "big"', 'both'],
        [2, 'dog', 'both'],
      ],
      'class 3 has no ground truth in either',
    );
    const [cat] = row(c, 1);
    const [dog] = row(c, 2);
    assert.equal(cat!.better, 'same');
    assert.equal(dog!.better, 'b');
    assert.equal(dog!.delta, dog!.b!.AP - dog!.a!.AP);
    assert.equal(dog!.a!.groundTruth, 2);
  });

  it('matches by id alone when one report has no names', () => {
    const c = compareReports(a, sampleReport({ names: undefined, findsTheLoneDog: true }));
    assert.deepEqual(
      c.classes.map((r) => [r.categoryId, r.name, r.presence]),
      [
        [1, 'cat, "big"', 'both'],
        [2, 'dog', 'both'],
      ],
    );
    assert.deepEqual(c.cautions, []);
  });

  it('shows a class in only one evaluation as such, and one id named apart as two classes', () => {
    const wolves = sampleReport({
      withBird: true,
      names: new Map([
        [1, 'cat, "big"'],
        [2, 'wolf'],
        [4, 'bird'],
      ]),
    });
    const c = compareReports(a, wolves);
    assert.deepEqual(
      c.classes.map((r) => [r.categoryId, r.name, r.presence, r.delta, r.better]),
      [
        [1, 'cat, "big"', 'both', 0, 'same'],
        [2, 'dog', 'a', null, 'none'],
        [2, 'wolf', 'b', null, 'none'],
        [4, 'bird', 'b', null, 'none'],
      ],
    );
    assert.equal(row(c, 2)[0]!.b, undefined);
    assert.equal(row(c, 2)[1]!.a, undefined);
    assert.ok(
      c.cautions.some((t) => /label maps differ: class 2 is dog in A and wolf in B/.test(t)),
      c.cautions.join('\n'),
    );
  });

  it('cautions, without refusing, when the two saw different data', () => {
    const c = compareReports(a, sampleReport({ withBird: true, records: ['test.record'] }));
    assert.equal(c.metrics.length, 12, 'still compared');
    assert.ok(
      c.cautions.some((t) => t === 'A evaluated 2 images, B 3 images'),
      c.cautions.join(),
    );
    assert.ok(
      c.cautions.some((t) =>
        /ground truth differs for 1 class \(class 4: 0 objects in A, 1 in B\)/.test(t),
      ),
      c.cautions.join('\n'),
    );
    assert.ok(
      c.cautions.some((t) => /record files differ \(A: val\.record; B: test\.record\)$/.test(t)),
      c.cautions.join('\n'),
    );
    const moved = compareReports(a, sampleReport({ records: ['/elsewhere/val.record'] }));
    assert.equal(moved.cautions.length, 1);
    assert.match(
      moved.cautions[0]!,
      /images and objects per class agree: the same data elsewhere\?$/,
    );
    const shuffled = compareReports(
      sampleReport({ records: ['a.record', 'b.record'] }),
      sampleReport({ records: ['b.record', 'a.record'] }),
    );
    assert.deepEqual(shuffled.cautions, [], 'the order the records were named in does not matter');
  });

  it('writes differences with their sign, and the comparison as CSV', () => {
    assert.equal(signedDelta(0.0431), '+0.043');
    assert.equal(signedDelta(-0.012), '−0.012');
    assert.equal(signedDelta(0.0004), '±0.000');
    assert.equal(signedDelta(null), '–');
    const lines = comparisonCsv(compareReports(a, sampleReport({ withBird: true }))).split('\r\n');
    assert.equal(lines[0], 'evaluation,model,created,images,records');
    assert.match(lines[1]!, /^A,\/models\/ssd,.*,2,val\.record$/);
    assert.equal(lines[4], 'metric,A,B,B - A,better');
    assert.match(lines[5]!, /^AP,0\.\d+,0\.\d+,/);
    assert.ok(lines.some((l) => l.startsWith('APs,-1,-1,,–')));
    assert.ok(
      lines.some((l) => l.startsWith('4,,,0,,only in B,,')),
      'the bird, only in B',
    );
    assert.ok(lines.some((l) => l.startsWith('caution,')));
  });
});

describe('reading an evaluation back from its JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-compare-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what --json and Export JSON write, as the report it was', async () => {
    const report = sampleReport();
    const file = join(dir, 'a.json');
    writeFileSync(file, reportJson(report));
    assert.deepEqual(await readReportFile(file), report);
  });

  it('says which file is not JSON, or not an evaluation, and what to give instead', async () => {
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"AP": 0.4,');
    await assert.rejects(readReportFile(notJson), (error: Error) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /broken\.json is not JSON/);
      assert.match(error.fix ?? '', /tfod evaluate --json/);
      return true;
    });
    const { AP50: _dropped, ...rest } = JSON.parse(reportJson(sampleReport())) as Record<
      string,
      unknown
    >;
    assert.throws(
      () => parseReportJson(JSON.stringify(rest), 'other.json'),
      /other\.json is not an evaluation report: no number for AP50/,
    );
    assert.throws(
      () =>
        parseReportJson(
          JSON.stringify({ ...rest, AP50: 1, classes: [{ categoryId: 1 }] }),
          'x.json',
        ),
      /x\.json is not an evaluation report: class 1 of 1 is not a class's scores/,
    );
    assert.throws(() => parseReportJson('[1, 2]', 'list.json'), /list\.json .*holds no object/);
    await assert.rejects(
      readReportFile(join(dir, 'nope.json')),
      /cannot read the evaluation .*nope\.json: no such file/,
    );
  });
});

describe('the comparison in the report webview', () => {
  const a = sampleReport();
  const b = sampleReport({ model: '/models/ssd-v2', findsTheLoneDog: true, withBird: true });

  it('keeps the other report in the panel state, and checks it as it checks the first', () => {
    assert.ok(isEvaluationPanelState({ report: a }));
    assert.ok(isEvaluationPanelState({ report: a, other: b }));
    const fromFile = parseReportJson(reportJson(b), 'b.json');
    assert.ok(isEvaluationPanelState(structuredClone({ report: a, other: fromFile })));
    assert.ok(!isEvaluationPanelState({ report: a, other: { model: '/models/x' } }));
    assert.ok(!isEvaluationPanelState({ report: a, other: null }));
    const { curves: _curves, ...withoutCurves } = b;
    assert.ok(!isEvaluationPanelState({ report: a, other: withoutCurves }));
  });

  it('knows the comparison messages and nothing else', () => {
    for (const type of ['compare', 'stopComparing', 'exportComparison', 'ready'])
      assert.ok(isWebviewMessage({ type }), type);
    assert.ok(!isWebviewMessage({ type: 'compareWith' }));
    assert.ok(!isWebviewMessage({ type: 'export' }));
    assert.ok(!isWebviewMessage(undefined));
  });

  it('sorts the compared classes by B − A, either side, objects or name, and filters one', () => {
    const c = compareReports(a, b);
    const ids = (rows: ReturnType<typeof comparisonRows>) =>
      rows.map((r) => `${r.categoryId}${r.presence}`);
    assert.deepEqual(ids(comparisonRows(c, 'delta', undefined)), ['2both', '1both', '4b']);
    assert.deepEqual(ids(comparisonRows(c, 'a', undefined)), ['1both', '2both', '4b']);
    assert.deepEqual(ids(comparisonRows(c, 'b', undefined)), ['1both', '2both', '4b']);
    assert.deepEqual(ids(comparisonRows(c, 'objects', undefined)), ['2both', '1both', '4b']);
    assert.deepEqual(ids(comparisonRows(c, 'name', undefined)), ['1both', '4b', '2both']);
    assert.deepEqual(ids(comparisonRows(c, 'delta', 4)), ['4b']);
    assert.equal(c.classes.length, 3, 'sorting leaves the comparison as it was');
  });

  it("finds each report's curve of a class at IoU .50 and .75", () => {
    assert.equal(curveOf(b, 2, 0.5)?.iouThreshold, 0.5);
    assert.equal(curveOf(b, 2, 0.75)?.categoryId, 2);
    assert.equal(curveOf(a, 4, 0.5), undefined, 'A has no bird');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classRows,
  confusionIndices,
  curvePath,
  heatLevel,
  metric,
} from '../../../media/evaluation/view';
import { reportCsv, reportJson } from '../../../src/core/evaluation';
import { SUMMARY_KEYS } from '../../../src/detection/evaluation';
import {
  isEvaluationPanelState,
  isWebviewMessage,
} from '../../../src/extension/evaluation/protocol';
import { sampleReport } from './sampleReport';

// The report the CLI prints with --json and the webview shows and exports.

describe('the evaluation report', () => {
  it("prints pycocotools' twelve keys first in --json, then the rest", () => {
    const json = JSON.parse(reportJson(sampleReport())) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).slice(0, 12), [...SUMMARY_KEYS]);
    assert.ok(!('summary' in json));
    assert.equal(json.model, '/models/ssd');
    assert.equal((json.curves as { recall: number[] }).recall.length, 101);
  });

  it('names classes and ranks the worst images', () => {
    const report = sampleReport();
    assert.equal(report.classes.find((c) => c.categoryId === 2)!.name, 'dog');
    assert.equal(report.classes.find((c) => c.categoryId === 3)!.name, undefined);
    assert.deepEqual(
      report.worstImages.map((e) => [e.imageId, e.misses, e.wrongClass, e.falsePositives]),
      [
        [4, 0, 1, 1],
        [9, 1, 0, 0],
      ],
    );
  });

  it('exports CSV with the metrics, the classes and the matrix, quoting what needs it', () => {
    const lines = reportCsv(sampleReport()).split('\r\n');
    assert.equal(lines[0], 'metric,value');
    assert.match(lines[1]!, /^AP,0\.\d+/);
    assert.ok(
      lines.some((l) => l.startsWith('1,"cat, ""big""",1,2,0.8')),
      'cat: 1 object, 2 found',
    );
    assert.ok(lines.includes('2,dog,2,1,0,0,0,0'));
    assert.ok(
      lines.includes('3,,0,0,-1,-1,-1,-1'),
      'a class without ground truth is -1, as in COCO',
    );
    const header = lines.find((l) => l.startsWith('"truth \\ predicted'))!;
    assert.match(header, /,"cat, ""big""",dog,3,background$/);
    assert.ok(lines.includes('dog,1,0,0,1'), 'one dog taken for a cat, one (image 9) missed');
    assert.ok(lines.includes('background,0,1,0,0'), 'the dog detection on nothing');
  });
});

describe('the report webview helpers', () => {
  it('lists classes with ground truth, sorted and filtered', () => {
    const report = sampleReport();
    assert.deepEqual(
      classRows(report, 'name', undefined).map((c) => c.categoryId),
      [1, 2],
    );
    assert.deepEqual(
      classRows(report, 'objects', 2).map((c) => c.categoryId),
      [2],
    );
  });

  it('draws a PR curve in its box, and nothing for an undefined one', () => {
    const box = { left: 0, top: 0, width: 100, height: 50 };
    assert.equal(curvePath([0, 0.5, 1], [1, 0.5, 0], box), 'M0.0,0.0 L50.0,25.0 L100.0,50.0');
    assert.equal(curvePath([0, 1], [-1, -1], box), '');
  });

  it('shades confusion cells in five steps and keeps the rows that matter', () => {
    assert.deepEqual(
      [0, 1, 10, 100].map((n) => heatLevel(n, 100)),
      [0, 1, 1, 5],
    );
    const { confusion } = sampleReport();
    assert.deepEqual(confusionIndices(confusion, undefined), [0, 1, 3]);
    assert.deepEqual(confusionIndices(confusion, 1), [0, 1, 3], 'cat and the dog it was taken for');
    assert.equal(metric(-1), '–');
    assert.equal(metric(0.12345), '0.123');
  });

  it('checks what crosses the webview boundary', () => {
    assert.ok(isEvaluationPanelState({ report: sampleReport() }));
    assert.ok(!isEvaluationPanelState({ report: { model: 3 } }));
    assert.ok(isWebviewMessage({ type: 'export', format: 'csv' }));
    assert.ok(!isWebviewMessage({ type: 'export', format: 'xml' }));
    assert.ok(isWebviewMessage({ type: 'ready' }));
  });
});

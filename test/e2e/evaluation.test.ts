import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { encodeExample, tfRecordFile } from '../../src/core/records';
import { decodeImage, loadDetector } from '../../src/detection';
import { SUMMARY_KEYS } from '../../src/detection/evaluation';
import type { EvaluationReport } from '../../src/core/evaluation/report';
import { fixtures, type PhotoName } from '../integration/serving/fixtures';
import {
  chooseInFileDialog,
  openWorkbench,
  runCommand,
  waitForValue,
  waitUntil,
  webviewFrame,
  type Workbench,
} from './harness/workbench';

// Evaluate Model from the palette in a real VS Code: the COCO test model in the workspace, run in
// the extension host over validation TFRecords the test writes from the real photos. The report
// panel shows the same numbers `tfod evaluate --json` prints for the same model and records (the
// CLI of this build, run by the test), per class and in the gallery, and Export JSON writes that
// report through the save dialog.

const root = join(__dirname, '..', '..');
const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
/** COCO names of the classes the photos hold (others are named by id). */
const COCO_NAMES: Record<number, string> = {
  1: 'person',
  4: 'motorcycle',
  17: 'cat',
  44: 'bottle',
  47: 'cup',
  62: 'chair',
  67: 'dining table',
};
/** A made-up object nobody will find (a miss), of a class the model knows. */
const MISSED = { label: 44, box: [0.05, 0.8, 0.2, 0.95] as const };

type Report = Omit<EvaluationReport, 'summary'> & Record<(typeof SUMMARY_KEYS)[number], number>;

/** As the report shows a number: three decimals, '–' for COCO's -1. */
const metric = (value: number) => (value < 0 ? '–' : value.toFixed(3));

/** One photo's tf.Example with its objects as ground truth. */
function example(
  bytes: Buffer,
  image: { width: number; height: number },
  photo: PhotoName,
  i: number,
  objects: ReadonlyArray<{ label: number; box: readonly number[] }>,
): Buffer {
  return encodeExample({
    'image/encoded': { bytes: [bytes] },
    'image/format': { bytes: ['png'] },
    'image/width': { int64s: [image.width] },
    'image/height': { int64s: [image.height] },
    'image/filename': { bytes: [`${photo}.png`] },
    'image/source_id': { bytes: [String(i + 1)] },
    'image/object/bbox/xmin': { floats: objects.map((o) => o.box[0]!) },
    'image/object/bbox/ymin': { floats: objects.map((o) => o.box[1]!) },
    'image/object/bbox/xmax': { floats: objects.map((o) => o.box[2]!) },
    'image/object/bbox/ymax': { floats: objects.map((o) => o.box[3]!) },
    'image/object/class/label': { int64s: objects.map((o) => o.label) },
  });
}

describe('Evaluate Model in a real VS Code, against tfod evaluate --json', () => {
  let workbench: Workbench;
  let model: string;
  let records: string;
  /** The same photos with the ground truth exactly what the model finds: another evaluation. */
  let exactRecords: string;
  let reference: Report;

  before(async () => {
    workbench = await openWorkbench('sample-project');
    const ws = workbench.workspace;
    model = join(ws, 'models', 'coco-ssd');
    cpSync(fixtures().modelDir, model, { recursive: true });
    // The ground truth: what the model finds at 0.5 (so it scores), less the weakest box of the
    // coffee photo (a false detection now), plus an object it cannot find in the astronaut photo.
    const detector = await loadDetector(fixtures().modelDir, { backend: 'wasm' });
    const examples: Buffer[] = [];
    const exact: Buffer[] = [];
    const labels = new Set<number>([MISSED.label]);
    try {
      for (const [i, photo] of PHOTOS.entries()) {
        const bytes = readFileSync(fixtures().photoPath(photo));
        const image = decodeImage(bytes);
        let objects = (await detector.detect(image, { threshold: 0.5 })).map((p) => ({
          label: p[0],
          box: [p[2], p[3], p[4], p[5]] as readonly number[],
        }));
        // Every class found is evaluated, the dropped box's too (so it counts as a false one).
        for (const o of objects) labels.add(o.label);
        exact.push(example(bytes, image, photo, i, objects));
        if (photo === 'coffee') objects = objects.slice(0, -1);
        if (photo === 'astronaut') objects.push(MISSED);
        examples.push(example(bytes, image, photo, i, objects));
      }
    } finally {
      detector.dispose();
    }
    // The model's label map: the classes evaluated, and their names in the report.
    writeFileSync(
      join(model, 'label_map.pbtxt'),
      [...labels]
        .sort((a, b) => a - b)
        .map((id) => `item { id: ${id} name: '${COCO_NAMES[id] ?? `coco-${id}`}' }\n`)
        .join(''),
    );
    mkdirSync(join(ws, 'data'), { recursive: true });
    records = join(ws, 'data', 'validation.record');
    writeFileSync(records, tfRecordFile(examples));
    exactRecords = join(ws, 'data', 'validation-exact.record');
    writeFileSync(exactRecords, tfRecordFile(exact));

    // The reference: the CLI of this build on the same model and records.
    const cli = spawnSync(
      process.execPath,
      [join(root, 'dist', 'cli.js'), 'evaluate', '--model', model, '--data', records, '--json'],
      { encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(cli.status, 0, `tfod evaluate failed: ${cli.stderr}`);
    reference = JSON.parse(cli.stdout) as Report;
    assert.equal(reference.images, PHOTOS.length);
    assert.ok(reference.AP50 > 0.5 && reference.AR100 < 1, `AP50 ${reference.AP50}, a miss`);
  });

  after(async () => {
    await workbench?.close();
  });

  let frame: Frame;

  it('evaluates the model picked from the palette on the records picked, and shows the COCO metrics of the CLI', async () => {
    const { page } = workbench;
    await runCommand(page, 'Object Detection: Evaluate Model');
    await chooseInFileDialog(page, 'Model folder (model.json) or model.tar.gz', model, 'folder');
    await chooseInFileDialog(page, 'Validation TFRecords', records, 'file');
    await page
      .locator('.tabs-container .tab.active', { hasText: 'Evaluation: coco-ssd' })
      .waitFor({ state: 'visible', timeout: 180_000 });
    frame = await webviewFrame(page, model);
    const values = await waitForValue(
      'the twelve COCO numbers',
      () =>
        frame
          .locator('table.summary tr')
          .evaluateAll((rows) =>
            rows.map((r) => [
              r.querySelector('th')?.textContent ?? '',
              r.querySelector('td.value')?.textContent ?? '',
            ]),
          ),
      (rows) => rows.length === 12,
      30_000,
    );
    assert.deepEqual(
      values,
      SUMMARY_KEYS.map((key) => [key, metric(reference[key])]),
    );
    assert.match(
      (await frame.locator('p.meta').textContent()) ?? '',
      /^4 images from 1 record file · /,
    );
  });

  it('lists AP per class with the names of the label map, as the CLI computes them', async () => {
    const bars = await frame
      .locator('svg.bars')
      .evaluateAll((svgs) =>
        [...(svgs[0]?.querySelectorAll('text.bar-label') ?? [])].map((label, i) => [
          label.textContent ?? '',
          svgs[0]?.querySelectorAll('text.bar-value')[i]?.textContent ?? '',
        ]),
      );
    const expected = reference.classes
      .filter((c) => c.groundTruth > 0)
      .sort((a, b) => b.AP - a.AP || a.categoryId - b.categoryId)
      .map((c) => [c.name ?? `class ${c.categoryId}`, `${metric(c.AP)} / ${metric(c.AP50)}`]);
    assert.ok(expected.length >= 4, `classes with ground truth: ${JSON.stringify(expected)}`);
    assert.deepEqual(bars, expected);
    // The made-up bottle is a class with ground truth and nothing found: AP 0.
    assert.deepEqual(
      bars.find(([name]) => name === 'bottle'),
      ['bottle', '0.000 / 0.000'],
    );
    // The class picker offers those classes.
    const options = await frame
      .locator('.controls select')
      .first()
      .locator('option')
      .allTextContents();
    assert.deepEqual(options.slice(1).sort(), expected.map(([name]) => name!).sort());
  });

  it('shows the gallery: the worst images with their pictures and judged boxes', async () => {
    assert.ok(reference.gallery.length > 0, 'the CLI has images with mistakes');
    const cards = await waitForValue(
      'the gallery cards with their pictures',
      () =>
        frame.locator('section.gallery figure.card').evaluateAll((figures) =>
          figures.map((f) => ({
            caption: f.querySelector('figcaption')?.textContent ?? '',
            picture: (f.querySelector('image')?.getAttribute('href') ?? '').slice(0, 15),
            truths: f.querySelectorAll('rect.truth').length,
            detections: f.querySelectorAll('rect.detection').length,
            missed: f.querySelectorAll('rect.truth.missed').length,
          })),
        ),
      (shown) =>
        shown.length === reference.gallery.length &&
        shown.every((c) => c.picture.startsWith('data:image/')),
      30_000,
    );
    assert.deepEqual(
      cards.map(({ caption, truths, detections, missed }) => ({
        caption,
        truths,
        detections,
        missed,
      })),
      reference.gallery.map((g) => ({
        caption: `image ${g.imageId} · ${g.misses} missed, ${g.wrongClass} wrong class, ${g.falsePositives} false`,
        truths: g.truths.length,
        detections: g.detections.length,
        missed: g.truths.filter((t) => t.outcome === 'missed').length,
      })),
    );
    // The astronaut's made-up bottle is missed there; the coffee's box left out of the ground
    // truth is a false detection.
    assert.ok(cards.some((c) => c.caption.startsWith('image 1 · 1 missed') && c.missed === 1));
    assert.ok(
      cards.some((c) => /^image 3 · 0 missed, 0 wrong class, [1-9]\d* false$/.test(c.caption)),
    );
    await frame.locator('section.gallery').scrollIntoViewIfNeeded();
    assert.ok(existsSync(await workbench.screenshot('evaluation-gallery')));
    await frame.locator('header').scrollIntoViewIfNeeded();
    assert.ok(existsSync(await workbench.screenshot('evaluation-report')));
  });

  it('exports the report as JSON through the save dialog: what tfod evaluate --json prints', async () => {
    const { page, workspace } = workbench;
    await frame.locator('header button', { hasText: 'Export JSON' }).click();
    // code-server's save dialog: a quick input proposing evaluation-<model>.json in the workspace.
    const input = page.locator('.quick-input-widget input');
    const target = join(workspace, 'evaluation-coco-ssd.json');
    await waitUntil(
      'the save dialog to propose evaluation-coco-ssd.json',
      async () => (await input.isVisible()) && (await input.inputValue()) === target,
      30_000,
    );
    await input.press('Enter');
    const saved = await waitForValue(
      'the exported report',
      async () => (existsSync(target) ? readFileSync(target, 'utf8') : ''),
      (text) => text.endsWith('}\n'),
      30_000,
    );
    const exported = JSON.parse(saved) as Report;
    // The same keys in the same order, and the same values but the time it was made.
    assert.deepEqual(Object.keys(exported), Object.keys(reference));
    const { createdAt: made, ...rest } = exported;
    const { createdAt: referenceMade, ...referenceRest } = reference;
    assert.ok(Date.parse(made) >= Date.parse(referenceMade));
    assert.deepEqual(rest, referenceRest);
  });

  it('compares with a second evaluation from a JSON file: both sides, B − A, same data, and stops', async () => {
    const { page, workspace } = workbench;
    // B: the same model on the records whose ground truth is what it finds (tfod evaluate --json).
    const other = join(workspace, 'evaluation-exact.json');
    const cli = spawnSync(
      process.execPath,
      [
        join(root, 'dist', 'cli.js'),
        'evaluate',
        '--model',
        model,
        '--data',
        exactRecords,
        '--json',
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(cli.status, 0, `tfod evaluate failed: ${cli.stderr}`);
    writeFileSync(other, cli.stdout);
    const b = JSON.parse(cli.stdout) as Report;
    assert.ok(b.AR100 > reference.AR100, `B finds all it has to: AR100 ${b.AR100}`);

    await frame.locator('#compare').click();
    const input = page.locator('.quick-input-widget input');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Compare coco-ssd (A) with' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('From a JSON file');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'From a JSON file' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    await input.press('Enter');
    await chooseInFileDialog(page, 'An evaluation as JSON', other, 'file');

    const comparison = frame.locator('#comparison');
    await comparison.waitFor({ state: 'visible', timeout: 30_000 });
    // Other records: compared, with the caution said.
    assert.equal(await comparison.getAttribute('data-same-data'), 'false');
    await frame.locator('[data-compare-caution]').first().waitFor({ state: 'visible' });
    const rows = await waitForValue(
      'the compared metrics',
      () =>
        frame
          .locator('table[data-compare-table="metrics"] tr[data-compare-metric]')
          .evaluateAll((trs) =>
            trs.map((tr) => {
              const d = (tr as unknown as { dataset: Record<string, string | undefined> }).dataset;
              return [d.compareMetric, Number(d.a), Number(d.b), d.better];
            }),
          ),
      (shown) => shown.length === 12,
      30_000,
    );
    assert.deepEqual(
      rows.map(([key, a, bValue]) => [key, a, bValue]),
      SUMMARY_KEYS.map((key) => [key, reference[key], b[key]]),
    );
    // B misses nothing: its recall is the better one.
    const ar100 = rows.find(([key]) => key === 'AR100');
    assert.equal(ar100?.[3], 'b', `AR100: ${JSON.stringify(ar100)}`);
    assert.ok(existsSync(await workbench.screenshot('evaluation-compare')));

    await frame.locator('#stop-comparing').click();
    await comparison.waitFor({ state: 'detached', timeout: 15_000 });
  });
});

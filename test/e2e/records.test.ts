import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import type { Frame } from 'playwright-core';
import { PNG } from 'pngjs';
import { decodeImage } from '../../src/detection';
import { fixtures, type PhotoName } from '../integration/serving/fixtures';
import {
  expectCount,
  openFile,
  openWorkbench,
  runCommand,
  waitForEqual,
  waitForValue,
  waitUntil,
  webviewFrame,
  type Workbench,
} from './harness/workbench';

// Convert Annotations to TFRecords from the palette, on a CSV dataset the test writes (the real
// photos, some re-encoded as JPEG), then the written shards in the TFRecord viewer: every image
// with its boxes and class names, paged 12 at a time; the classes counted over both shards are
// those of the CSV.

const PHOTOS: PhotoName[] = ['chelsea', 'astronaut', 'coffee', 'motorcycle_left'];
/** Objects per photo: class and box as fractions of the picture (made up, inside it). */
const OBJECTS: Record<PhotoName, { name: string; box: [number, number, number, number] }[]> = {
  chelsea: [{ name: 'cat', box: [0.1, 0.1, 0.7, 0.95] }],
  astronaut: [{ name: 'person', box: [0.2, 0.05, 0.9, 0.98] }],
  coffee: [{ name: 'cup', box: [0.15, 0.2, 0.85, 0.9] }],
  motorcycle_left: [
    { name: 'motorcycle', box: [0.05, 0.3, 0.95, 0.95] },
    { name: 'person', box: [0.4, 0.05, 0.7, 0.6] },
  ],
};
const IMAGES = 18;

interface Written {
  readonly file: string;
  readonly objects: number;
}

/** Writes dataset/images/* and dataset/annotations.csv; returns each image and its objects. */
function writeDataset(dir: string): Written[] {
  mkdirSync(join(dir, 'images'), { recursive: true });
  const rows = ['filename,width,height,class,xmin,ymin,xmax,ymax'];
  const written: Written[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const photo = PHOTOS[i % PHOTOS.length]!;
    const image = decodeImage(readFileSync(fixtures().photoPath(photo)));
    // Each image its own bytes (the converter writes an image it has seen once): a pixel in
    // the corner marks it. Every third one a PNG, the others JPEG.
    const pixels = Buffer.from(image.data);
    pixels.writeUInt32BE(0xff000000 + i * 0x0d0b07, 0);
    const png = i % 3 === 0;
    const file = `${photo}-${String(i).padStart(2, '0')}.${png ? 'png' : 'jpg'}`;
    writeFileSync(
      join(dir, 'images', file),
      png
        ? PNG.sync.write(
            Object.assign(new PNG({ width: image.width, height: image.height }), { data: pixels }),
          )
        : jpeg.encode({ data: pixels, width: image.width, height: image.height }, 80).data,
    );
    for (const o of OBJECTS[photo]) {
      const [x0, y0, x1, y1] = o.box;
      rows.push(
        [
          file,
          image.width,
          image.height,
          o.name,
          Math.round(x0 * image.width),
          Math.round(y0 * image.height),
          Math.round(x1 * image.width),
          Math.round(y1 * image.height),
        ].join(','),
      );
    }
    written.push({ file, objects: OBJECTS[photo].length });
  }
  writeFileSync(join(dir, 'annotations.csv'), `${rows.join('\n')}\n`);
  return written;
}

/** What a page of the viewer shows, card by card. */
async function cards(frame: Frame) {
  return frame.locator('figure.record').evaluateAll((figures) =>
    figures.map((f) => {
      const img = f.querySelector('img');
      return {
        caption: f.querySelector('figcaption')?.textContent ?? '',
        // Decoded: the browser drew the picture from the record's bytes.
        decoded: img !== null && img.complete && img.naturalWidth > 0,
        boxes: [...f.querySelectorAll('svg.boxes rect.box')].map((r) =>
          ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a))),
        ),
        labels: [...f.querySelectorAll('span.label')].map((l) => l.textContent ?? ''),
        problems: f.querySelectorAll('ul.problems li').length,
      };
    }),
  );
}

async function pagerText(frame: Frame): Promise<string[]> {
  return frame.locator('nav .meta').allTextContents();
}

describe('Convert Annotations and the TFRecord viewer in a real VS Code', () => {
  let workbench: Workbench;
  let written: Written[];
  let records: string;
  const ids = new Map([
    ['cat', 1],
    ['cup', 2],
    ['motorcycle', 3],
    ['person', 4],
  ]);
  /** Class counts over both viewers, to hold against the CSV's. */
  const seen = new Map<string, number>();
  const filesSeen: string[] = [];

  before(async () => {
    workbench = await openWorkbench('sample-project');
    written = writeDataset(join(workbench.workspace, 'dataset'));
    records = join(workbench.workspace, 'dataset', 'records');
  });

  after(async () => {
    await workbench?.close();
  });

  it('converts a CSV dataset from the palette into train and validation shards and a label map', async () => {
    const { page, workspace } = workbench;
    const title = 'Convert Annotations to TFRecords';
    await runCommand(page, `Object Detection: ${title}`);
    const input = page.locator('.quick-input-widget input');
    // 1/3: the annotations, typed (Browse… is the title bar's).
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: `${title} (1/3)` })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const csv = join(workspace, 'dataset', 'annotations.csv');
    await input.fill(csv);
    await waitUntil('the annotations typed', async () => (await input.inputValue()) === csv);
    await input.press('Enter');
    // 2/3: the format, detected from the file and offered first.
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: `${title} (2/3)` })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await waitForValue(
      'the CSV format offered first, as detected',
      async () => (await first.getAttribute('aria-label')) ?? '',
      (label) =>
        label.startsWith('CSV (filename,width,height,class,') && label.endsWith('detected'),
    );
    await input.press('Enter');
    // 3/3: the output folder, proposed beside the CSV.
    const step = (n: number) =>
      page.locator('.quick-input-widget .quick-input-title', { hasText: `${title} (${n}/3)` });
    await step(3).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), records);
    // Back (the title bar's arrow) goes to the step before with its answer kept: the format
    // chosen, then the annotations typed; forward again, the answers stand.
    const back = page.locator('.quick-input-widget .quick-input-left-action-bar .action-label');
    await back.click();
    await step(2).waitFor({ state: 'visible', timeout: 15_000 });
    await waitForValue(
      'the format chosen before, highlighted again',
      async () =>
        (await page
          .locator('.quick-input-list .monaco-list-row.focused')
          .first()
          .getAttribute('aria-label')) ?? '',
      (label) => label.startsWith('CSV (filename,width,height,class,'),
    );
    await back.click();
    await step(1).waitFor({ state: 'visible', timeout: 15_000 });
    await waitForEqual('the annotations typed before', () => input.inputValue(), csv);
    await expectCount(back, 0, 'no Back on the first step');
    await input.press('Enter');
    await step(2).waitFor({ state: 'visible', timeout: 15_000 });
    await input.press('Enter');
    await step(3).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), records);
    await input.press('Enter');

    const summary = page.locator('.notifications-toasts .notification-toast', {
      hasText: 'Converted ',
    });
    const text = await waitForValue(
      'the conversion summary',
      async () => (await summary.allInnerTexts()).join(' ').replace(/\s+/g, ' '),
      (t) => /\d+ errors, \d+ warnings/.test(t),
      120_000,
    );
    const counts =
      /Converted (\d+) training and (\d+) validation images into dataset\/records/.exec(text);
    assert.ok(counts, text);
    assert.match(text, /: 0 errors, 0 warnings /);
    const [train, validation] = [Number(counts[1]), Number(counts[2])];
    assert.equal(train + validation, IMAGES);
    assert.ok(validation > 0 && train > 12, `${train} training images fill more than a page`);
    assert.match(text, /input_path "[^"]*train\.record-\?\?\?\?\?-of-00001"/);
    assert.ok(existsSync(await workbench.screenshot('records-converted')));

    assert.deepEqual(readdirSync(records).sort(), [
      'label_map.pbtxt',
      'train.record-00000-of-00001',
      'validation.record-00000-of-00001',
    ]);
    // The label map: the CSV's classes, sorted, ids from 1.
    assert.equal(
      readFileSync(join(records, 'label_map.pbtxt'), 'utf8'),
      [...ids].map(([name, id]) => `item {\n  id: ${id}\n  name: '${name}'\n}\n`).join(''),
    );
  });

  it('shows the training shard in the viewer: pictures, boxes and class names, 12 a page', async () => {
    const { page } = workbench;
    const name = 'train.record-00000-of-00001';
    await openFile(page, name);
    const frame = await webviewFrame(page, name);
    const status = frame.locator('header .meta');
    const total = Number(
      /^(\d+) records/.exec(
        await waitForValue(
          'the viewer summary with the label map found beside the records',
          async () => (await status.textContent()) ?? '',
          (t) => /^\d+ records · label map: dataset\/records\/label_map\.pbtxt/.test(t),
          30_000,
        ),
      )?.[1],
    );
    assert.ok(total > 12, `${total}: ${await status.textContent()}`);
    await waitForEqual('the first page', () => pagerText(frame), [
      `records 1-12 of ${total}`,
      `records 1-12 of ${total}`,
    ]);
    const firstPage = await waitForValue(
      '12 decoded pictures on the first page',
      () => cards(frame),
      (shown) => shown.length === 12 && shown.every((c) => c.decoded),
      30_000,
    );
    assert.ok(existsSync(await workbench.screenshot('records-viewer-page-1')));
    assert.equal(
      await frame.locator('nav button', { hasText: 'Previous' }).first().isDisabled(),
      true,
    );

    await frame.locator('nav button', { hasText: 'Next' }).first().click();
    await waitForEqual('the second page', () => pagerText(frame), [
      `records 13-${total} of ${total}`,
      `records 13-${total} of ${total}`,
    ]);
    const secondPage = await waitForValue(
      `the last ${total - 12} decoded pictures`,
      () => cards(frame),
      (shown) => shown.length === total - 12 && shown.every((c) => c.decoded),
      30_000,
    );
    assert.equal(await frame.locator('nav button', { hasText: 'Next' }).first().isDisabled(), true);
    assert.ok(existsSync(await workbench.screenshot('records-viewer-page-2')));
    record([...firstPage, ...secondPage]);
  });

  it('shows the validation shard, and both shards hold every image and object of the CSV', async () => {
    const { page } = workbench;
    const name = 'validation.record-00000-of-00001';
    await openFile(page, name);
    const frame = await webviewFrame(page, name);
    const shown = await waitForValue(
      'the validation pictures, decoded',
      () => cards(frame),
      (c) => c.length > 0 && c.every((x) => x.decoded),
      30_000,
    );
    assert.equal(shown.length, IMAGES - filesSeen.length);
    assert.deepEqual(await pagerText(frame), [
      `records 1-${shown.length} of ${shown.length}`,
      `records 1-${shown.length} of ${shown.length}`,
    ]);
    record(shown);

    // Each image once, over both shards.
    assert.deepEqual([...filesSeen].sort(), written.map((w) => w.file).sort());
    // The classes counted over both viewers are the CSV's.
    const expected = new Map<string, number>();
    for (const w of written)
      for (const o of OBJECTS[w.file.replace(/-\d+\.(png|jpg)$/, '') as PhotoName])
        expected.set(
          `${o.name} (${ids.get(o.name)})`,
          (expected.get(`${o.name} (${ids.get(o.name)})`) ?? 0) + 1,
        );
    assert.deepEqual(new Map([...seen].sort()), new Map([...expected].sort()));
  });

  /** Checks one page of cards against the CSV and adds its classes to the counts. */
  function record(shown: Awaited<ReturnType<typeof cards>>): void {
    for (const card of shown) {
      // "#3 · chelsea-04.jpg · 451 x 300 · 1 object"
      const match = /^#\d+ · (\S+) · (\d+) x (\d+) · (\d+) objects?$/.exec(card.caption);
      assert.ok(match, card.caption);
      const image = written.find((w) => w.file === match[1]);
      assert.ok(image, `${match[1]} is one of the images written`);
      assert.equal(Number(match[4]), image.objects);
      // A box per object, where the CSV put it (in fractions of the picture), named from the
      // label map beside the records.
      const objects = OBJECTS[image.file.replace(/-\d+\.(png|jpg)$/, '') as PhotoName];
      assert.equal(card.boxes.length, objects.length, `${image.file}: a box per object`);
      objects.forEach((o, k) => {
        const [x, y, w, h] = card.boxes[k]!;
        const [x0, y0, x1, y1] = o.box;
        for (const [got, want] of [
          [x, x0],
          [y, y0],
          [x! + w!, x1],
          [y! + h!, y1],
        ] as const)
          assert.ok(Math.abs(got! - want) < 0.005, `${image.file} box ${k}: ${card.boxes[k]}`);
        assert.equal(card.labels[k], `${o.name} (${ids.get(o.name)})`);
      });
      assert.equal(card.problems, 0, `${image.file} has no problem`);
      filesSeen.push(image.file);
      for (const label of card.labels) seen.set(label, (seen.get(label) ?? 0) + 1);
    }
  }
});

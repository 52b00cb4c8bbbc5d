import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { COCO, fixtures } from '../integration/serving/fixtures';
import { openWorkbench, runCommand, type Workbench } from './harness/workbench';

// The detection preview in a real VS Code: the COCO test model copied into the workspace runs
// in the extension host (no server, no Docker); photos opened in the editor join the preview,
// their boxes are drawn and listed with the label map's names, and the threshold slider and the
// class toggles filter what is shown without asking the model again.

/** Opens a workspace file in the editor through Quick Open, as a user would with Ctrl+P. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await input.press('Enter');
  await page
    .locator('.tabs-container .tab.active', { hasText: name })
    .waitFor({ state: 'visible', timeout: 15_000 });
}

/** The preview's frame (the image editor is a webview too, so find ours by its heading). */
async function previewFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const found = await frame
        .locator('h1', { hasText: 'Detection Preview' })
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the Detection Preview webview did not appear');
}

async function scores(frame: Frame, image: string): Promise<number[]> {
  return frame
    .locator(`section.image[data-path$="${image}"] li.detection`)
    .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-score'))));
}

describe('the detection preview in a real VS Code, with the COCO model in-process', () => {
  let workbench: Workbench;

  before(async () => {
    const { modelDir, photoPath } = fixtures();
    workbench = await openWorkbench('sample-project');
    const ws = workbench.workspace;
    const model = join(ws, 'models', 'coco-ssd');
    cpSync(modelDir, model, { recursive: true });
    writeFileSync(
      join(model, 'label_map.pbtxt'),
      `item { id: ${COCO.person} name: 'person' }\nitem { id: ${COCO.cat} name: 'cat' }\n`,
    );
    mkdirSync(join(ws, 'photos'), { recursive: true });
    for (const name of ['chelsea', 'astronaut'] as const)
      cpSync(photoPath(name), join(ws, 'photos', `${name}.png`));
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows a cat on chelsea.png, named from the label map, with latency and raw JSON', async () => {
    const { page } = workbench;
    await openFile(page, 'chelsea.png');
    await runCommand(page, 'Object Detection: Preview Detections');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'source of predictions' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const model = page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'coco-ssd' })
      .first();
    await model.waitFor({ state: 'visible', timeout: 30_000 });
    await model.click();

    const frame = await previewFrame(page);
    const chelsea = frame.locator('section.image[data-path$="chelsea.png"]');
    const cat = chelsea.locator('li.detection[data-label="cat"]').first();
    await cat.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await cat.getAttribute('data-class'), String(COCO.cat));
    assert.ok(Number(await cat.getAttribute('data-score')) >= 0.5);
    assert.match((await chelsea.locator('.latency').textContent()) ?? '', /^\d+ ms$/);
    assert.match(
      (await chelsea.locator('canvas.picture').getAttribute('aria-label')) ?? '',
      /^chelsea\.png: cat 0\.\d\d/,
    );
    const raw = (await chelsea.locator('.raw pre').textContent()) ?? '';
    assert.ok(
      (JSON.parse(raw) as { prediction: number[][] }).prediction.some((p) => p[0] === COCO.cat),
    );
    assert.match(
      (await frame.locator('.labels-note').textContent()) ?? '',
      /from the model's label map/,
    );
    // The canvas holds the picture at its own size, boxes drawn on it.
    const canvas = chelsea.locator('canvas.picture');
    assert.deepEqual(
      [await canvas.getAttribute('width'), await canvas.getAttribute('height')],
      ['451', '300'],
    );
  });

  it('adds astronaut.png to the open preview and shows a person', async () => {
    const { page } = workbench;
    await openFile(page, 'astronaut.png');
    await runCommand(page, 'Object Detection: Preview Detections');
    const frame = await previewFrame(page);
    const person = frame
      .locator('section.image[data-path$="astronaut.png"] li.detection[data-label="person"]')
      .first();
    await person.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await person.getAttribute('data-class'), String(COCO.person));
    // chelsea is still there: one panel, two images (restored when the panel is shown again).
    const results = frame.locator('section.image.result');
    await waitUntil('both images in the panel', async () => (await results.count()) === 2, 60_000);
    assert.equal(await frame.locator('section.image[data-path$="chelsea.png"]').count(), 1);
  });

  it('moving the threshold slider hides low-confidence boxes without asking again', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const latency = await frame
      .locator('section.image[data-path$="astronaut.png"] .latency')
      .textContent();
    const slider = frame.locator('input#threshold');
    // Keyboard: Home goes to the lowest threshold (everything the model returned).
    await slider.focus();
    await slider.press('Home');
    await waitUntil(
      'the slider to show 0.05',
      async () => (await frame.locator('output').textContent()) === '0.05',
    );
    const all = await scores(frame, 'astronaut.png');
    assert.ok(
      all.some((s) => s < 0.5),
      `weak detections at 0.05: ${all.join(', ')}`,
    );
    await slider.fill('0.5');
    await waitUntil(
      'the slider to show 0.50',
      async () => (await frame.locator('output').textContent()) === '0.50',
    );
    const strong = await scores(frame, 'astronaut.png');
    assert.ok(strong.length > 0 && strong.length < all.length, `${strong.length} of ${all.length}`);
    assert.ok(
      strong.every((s) => s >= 0.5),
      strong.join(', '),
    );
    await slider.press('End');
    await waitUntil(
      'every box to hide at the top',
      async () => (await scores(frame, 'astronaut.png')).length === 0,
    );
    assert.deepEqual(await scores(frame, 'astronaut.png'), []);
    await slider.fill('0.5');
    // Filtering is local: the same answer (same latency), no new request.
    assert.equal(
      await frame.locator('section.image[data-path$="astronaut.png"] .latency').textContent(),
      latency,
    );
  });

  it('a class toggle hides that class only, and the screenshot shows the boxes', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const catToggle = frame.locator(`.toggles input[data-class="${COCO.cat}"]`);
    await catToggle.focus();
    const cats = frame.locator('li.detection[data-label="cat"]');
    const people = frame.locator('li.detection[data-label="person"]');
    await catToggle.press('Space');
    await waitUntil('the cat boxes to hide', async () => (await cats.count()) === 0);
    assert.ok((await people.count()) > 0, 'people stay');
    await catToggle.press('Space');
    await waitUntil('the cat boxes to come back', async () => (await cats.count()) > 0);
    // The panel re-renders its sections after a toggle: scroll once they have settled.
    await scrollIntoView(frame.locator('section.image[data-path$="chelsea.png"]'));
    assert.ok(existsSync(await workbench.screenshot('preview-chelsea-cat')));
    await scrollIntoView(frame.locator('section.image[data-path$="astronaut.png"] canvas'));
    assert.ok(existsSync(await workbench.screenshot('preview-astronaut-person')));
  });
});

async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Scrolls to an element that a re-render may replace mid-way: the locator finds the new one. */
async function scrollIntoView(locator: { scrollIntoViewIfNeeded(): Promise<void> }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.scrollIntoViewIfNeeded();
      return;
    } catch (error) {
      if (attempt >= 5 || !/not attached/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

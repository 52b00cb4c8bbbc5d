import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { Frame, Page } from 'playwright-core';
import { COCO, fixtures } from '../integration/serving/fixtures';
import {
  expectCount,
  openFile,
  openWorkbench,
  previewFrame,
  runCommand,
  runContextMenuItem,
  waitForEqual,
  waitForValue,
  waitUntil,
  type Workbench,
} from './harness/workbench';

// The detection preview in a real VS Code: the COCO test model copied into the workspace runs
// in the extension host (no server, no Docker); photos opened in the editor join the preview,
// their boxes are drawn and listed with the label map's names, and the threshold slider and the
// class toggles filter what is shown without asking the model again.

/** What the threshold slider's output shows (none while the panel re-renders). */
async function output(frame: Frame): Promise<string[]> {
  return frame.locator('output').allTextContents();
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
      [
        `item { id: ${COCO.person} name: 'person' }`,
        `item { id: ${COCO.motorcycle} name: 'motorcycle' }`,
        `item { id: ${COCO.cat} name: 'cat' }`,
        `item { id: ${COCO.cup} name: 'cup' }`,
        '',
      ].join('\n'),
    );
    mkdirSync(join(ws, 'photos'), { recursive: true });
    for (const name of ['chelsea', 'astronaut', 'motorcycle_left'] as const)
      cpSync(photoPath(name), join(ws, 'photos', `${name}.png`));
    // A folder of photos to drop from the Explorer.
    mkdirSync(join(ws, 'more-photos'), { recursive: true });
    cpSync(photoPath('coffee'), join(ws, 'more-photos', 'coffee.png'));
    writeFileSync(join(ws, 'more-photos', 'README.txt'), 'not an image\n');
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
    // The canvas holds the picture at its own size, boxes drawn on it (once the picture has
    // loaded, after the card shows).
    await waitForEqual(
      "chelsea's canvas size",
      () =>
        chelsea
          .locator('canvas.picture')
          .evaluateAll((canvases) =>
            canvases.map((c) => [c.getAttribute('width'), c.getAttribute('height')]),
          ),
      [['451', '300']],
      15_000,
    );
  });

  it("Labels switches to class ids and back to the model's names", async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const chelsea = frame.locator('section.image[data-path$="chelsea.png"]');
    const labels = frame.locator('select#labels');
    assert.equal(await labels.inputValue(), 'auto');
    // The project's own label map is on offer too, though the model's comes first.
    assert.equal(await labels.locator('option[value="workspace"]').isDisabled(), false);
    await labels.selectOption('ids');
    await chelsea
      .locator(`li.detection[data-label="class ${COCO.cat}"]`)
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await frame.locator('.labels-note').textContent()) ?? '', /ids only/);
    await labels.selectOption('auto');
    await chelsea
      .locator('li.detection[data-label="cat"]')
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
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
    await expectCount(frame.locator('section.image.result'), 2, 'both images in the panel', 60_000);
    await expectCount(frame.locator('section.image[data-path$="chelsea.png"]'), 1, 'chelsea');
    // The panel was hidden behind the photo and shown again: chelsea's answer came back from
    // memory, not from asking the model again.
    await frame
      .locator('section.image[data-path$="chelsea.png"] .remembered')
      .waitFor({ state: 'visible', timeout: 10_000 });
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
    await waitForEqual('the slider', () => output(frame), ['0.05']);
    const all = await waitForValue(
      'weak detections at 0.05',
      () => scores(frame, 'astronaut.png'),
      (shown) => shown.some((s) => s < 0.5),
    );
    await slider.fill('0.5');
    await waitForEqual('the slider', () => output(frame), ['0.50']);
    await waitForValue(
      `some but not all of the ${all.length} boxes, every one at 0.5 or over`,
      () => scores(frame, 'astronaut.png'),
      (strong) => strong.length > 0 && strong.length < all.length && strong.every((s) => s >= 0.5),
    );
    await slider.press('End');
    await waitForEqual('the boxes at the top threshold', () => scores(frame, 'astronaut.png'), []);
    await slider.fill('0.5');
    await waitForEqual('the slider', () => output(frame), ['0.50']);
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
    await expectCount(cats, 0, 'the cat boxes to hide', 10_000);
    await waitForValue(
      'the person boxes to stay',
      () => people.count(),
      (n) => n > 0,
    );
    await catToggle.press('Space');
    await waitForValue(
      'the cat boxes to come back',
      () => cats.count(),
      (n) => n > 0,
    );
    // The panel re-renders its sections after a toggle: scroll once they have settled.
    await scrollIntoView(frame.locator('section.image[data-path$="chelsea.png"]'));
    assert.ok(existsSync(await workbench.screenshot('preview-chelsea-cat')));
    await scrollIntoView(frame.locator('section.image[data-path$="astronaut.png"] canvas'));
    assert.ok(existsSync(await workbench.screenshot('preview-astronaut-person')));
  });
  it('exports the annotated picture as PNG through the save dialog', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const chelsea = frame.locator('section.image[data-path$="chelsea.png"]');
    await chelsea.locator('button', { hasText: 'Export PNG' }).click();
    // code-server's save dialog is a quick input proposing <image>-detections.png beside it.
    const input = page.locator('.quick-input-widget input');
    await waitUntil(
      'the save dialog to propose chelsea-detections.png',
      async () =>
        (await input.isVisible()) && (await input.inputValue()).endsWith('chelsea-detections.png'),
      30_000,
    );
    await input.press('Enter');
    const saved = join(workbench.workspace, 'photos', 'chelsea-detections.png');
    await frame
      .locator('.status', { hasText: 'chelsea-detections.png' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const png = readFileSync(saved);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: the picture's own size, and not the original bytes (the boxes are drawn in).
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [451, 300]);
    assert.notDeepEqual(png, readFileSync(join(workbench.workspace, 'photos', 'chelsea.png')));
  });

  it('has a toolbar with one primary action, and Choose Source… offers the recent source first', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const buttons = frame.locator('header [role="toolbar"] button');
    await waitForEqual(
      'the toolbar: Add Images… the primary action, the others icon buttons',
      () =>
        buttons.evaluateAll((all) =>
          all.map((b) => [
            b.getAttribute('aria-label'),
            b.classList.contains('primary'),
            b.getAttribute('tabindex'),
          ]),
        ),
      [
        ['Add Images…', true, '0'],
        ['Choose Source…', false, '-1'],
        ['Run Again', false, '-1'],
      ],
    );
    assert.equal(
      await frame.locator('header [role="toolbar"] button.icon').first().getAttribute('title'),
      'Choose the source of predictions: a model run here, or an endpoint',
    );
    // One Tab stop; the arrow keys move along the bar; Enter runs the button.
    await buttons.first().focus();
    await buttons.first().press('ArrowRight');
    await waitForEqual(
      'focus on Choose Source…',
      () => frame.evaluate(`document.activeElement.getAttribute('aria-label')`),
      'Choose Source…',
    );
    await page.keyboard.press('Enter');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'source of predictions' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    // The model chosen in the first test heads the list, under "recently used", and is not
    // offered a second time among the workspace's models.
    const rows = await waitForValue(
      'the recent source first',
      () =>
        page
          .locator('.quick-input-list .monaco-list-row')
          .evaluateAll((all) =>
            all
              .sort(
                (a, b) =>
                  Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')),
              )
              .map((row) => (row.textContent ?? '').replace(/\s+/g, ' ').trim()),
          ),
      (texts) => texts.some((t) => t.includes('recently used')),
      15_000,
    );
    const offers = rows.filter((t) => t !== 'recently used');
    assert.match(offers[0] ?? '', /coco-ssd/, rows.join(' | '));
    assert.equal(rows.filter((t) => t.includes('coco-ssd')).length, 1, rows.join(' | '));
    await page.keyboard.press('Escape');
  });

  it("adds an image from the Explorer's context menu", async () => {
    const { page } = workbench;
    const row = await explorerRow(page, ['photos', 'motorcycle_left.png']);
    await runContextMenuItem(page, row, 'Preview Detections');
    const frame = await previewFrame(page);
    await frame
      .locator(
        `section.image[data-path$="motorcycle_left.png"] li.detection[data-class="${COCO.motorcycle}"]`,
      )
      .first()
      .waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(
      await frame
        .locator('section.image[data-path$="motorcycle_left.png"] li.detection')
        .first()
        .getAttribute('data-label'),
      'motorcycle',
    );
  });

  it('takes photos dropped from the desktop, and says which dropped files it refused', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    // A drop from outside VS Code: a real DataTransfer holding a File with the photo's bytes
    // (the file is nowhere in the workspace), and a text file beside it.
    // (Browser code as text: the tests are compiled without the DOM's types.)
    const drag = (types: string[]) => `{
      const target = document.querySelector('.images') ?? document.body;
      for (const type of ${JSON.stringify(types)})
        target.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: window.e2eDrop }),
        );
    }`;
    await frame.evaluate(`{
      const bytes = Uint8Array.from(atob(${JSON.stringify(fixtures().photo('coffee').toString('base64'))}), (c) => c.charCodeAt(0));
      window.e2eDrop = new DataTransfer();
      window.e2eDrop.items.add(new File([bytes], 'coffee from desktop.png', { type: 'image/png' }));
      window.e2eDrop.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    }`);
    await frame.evaluate(drag(['dragenter', 'dragover']));
    const dropping = () => frame.evaluate(`document.body.classList.contains('dropping')`);
    await waitForEqual('the drop zone showing while dragging', dropping, true, 5_000);
    await frame.evaluate(drag(['drop']));
    const cup = frame
      .locator(`section.image[data-path$="coffee from desktop.png"] li.detection[data-label="cup"]`)
      .first();
    await cup.waitFor({ state: 'visible', timeout: 120_000 });
    assert.ok(Number(await cup.getAttribute('data-score')) >= 0.9);
    await frame
      .locator('.error', { hasText: 'notes.txt is not a PNG or JPEG image' })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await waitForEqual('the drop zone showing after the drop', dropping, false, 5_000);
  });

  it('takes a folder dropped from the Explorer with Shift held: its images join', async () => {
    const { page } = workbench;
    const frame = await previewFrame(page);
    const before = await frame.locator('section.image').count();
    const folder = await explorerRow(page, ['more-photos']);
    const from = await folder.boundingBox();
    const panel = await (await frame.frameElement()).boundingBox();
    assert.ok(from && panel, 'the Explorer row and the panel are on screen');
    // VS Code hands a drag from the Explorer to a webview only while Shift is held.
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.keyboard.down('Shift');
    await page.mouse.move(panel.x + panel.width / 2, panel.y + panel.height / 2, { steps: 12 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await waitForValue(
      `the folder to add its image to the ${before} there were`,
      () => frame.locator('section.image').count(),
      (n) => n > before,
      30_000,
    );
    await frame
      .locator('section.image[data-path$="more-photos/coffee.png"] li.detection[data-label="cup"]')
      .first()
      .waitFor({ state: 'visible', timeout: 120_000 });
    // Only the folder's image joined, not its README.
    assert.equal(await frame.locator('section.image[data-path$="README.txt"]').count(), 0);
  });

  it('comes back after a reload: the same images, threshold and answers', async () => {
    const { page } = workbench;
    let frame = await previewFrame(page);
    const slider = frame.locator('input#threshold');
    await slider.fill('0.3');
    await waitForEqual('the slider', () => output(frame), ['0.30']);
    const images = await frame
      .locator('section.image')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-path')));
    // The extension keeps the panel's state in its workspace storage as it changes.
    await waitUntil('the extension to save the panel state', async () => {
      const state = savedPanelState(workbench.workspace);
      return state?.threshold === 0.3 && state.images.length === images.length;
    });
    // Reload the window as a user does (VS Code saves its layout on the way out).
    const before = await page.evaluate('performance.timeOrigin');
    await runCommand(page, 'Developer: Reload Window');
    await waitUntil(
      'the window to reload',
      async () => (await page.evaluate('performance.timeOrigin').catch(() => before)) !== before,
      60_000,
    );
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await previewFrame(page);
    await frame
      .locator('section.image[data-path$="chelsea.png"] li.detection[data-label="cat"]')
      .first()
      .waitFor({ state: 'visible', timeout: 120_000 });
    await waitForValue(
      `every image back with an answer, in the order it had (${images.join(', ')})`,
      () =>
        frame.locator('section.image').evaluateAll((all) =>
          all.map((c) => ({
            path: c.getAttribute('data-path'),
            result: c.classList.contains('result'),
          })),
        ),
      (cards) =>
        cards.filter((c) => c.result).length === images.length &&
        isDeepStrictEqual(
          cards.map((c) => c.path),
          images,
        ),
      120_000,
    );
    await waitForEqual('the restored slider', () => output(frame), ['0.30']);
    assert.ok(existsSync(await workbench.screenshot('preview-restored')));
  });

  it('follows the colour theme: light and high contrast', async () => {
    const { page } = workbench;
    const settings = join(workbench.workspace, '.vscode', 'settings.json');
    mkdirSync(join(workbench.workspace, '.vscode'), { recursive: true });
    for (const [theme, bodyClass] of [
      ['Default Light Modern', 'vscode-light'],
      ['Default High Contrast', 'vscode-high-contrast'],
    ] as const) {
      writeFileSync(settings, JSON.stringify({ 'workbench.colorTheme': theme }));
      const frame = await previewFrame(page);
      await waitUntil(
        `the panel to take the ${theme} theme`,
        async () =>
          String(await frame.evaluate('document.body.className'))
            .split(' ')
            .includes(bodyClass),
        30_000,
      );
      // Colours come from the theme's variables, not from the stylesheet.
      const colours = async () =>
        (await frame.evaluate(`[
        getComputedStyle(document.querySelector('h1')).color,
        (() => {
          const probe = document.createElement('span');
          probe.style.color = 'var(--vscode-foreground)';
          document.body.append(probe);
          const c = getComputedStyle(probe).color;
          probe.remove();
          return c;
        })(),
      ]`)) as [string, string];
      // The theme's variables can land a moment after its body class.
      await waitForValue(
        `the heading in the foreground colour of ${theme}`,
        colours,
        ([colour, expected]) => colour === expected,
      );
      if (bodyClass === 'vscode-high-contrast')
        await waitForValue(
          'buttons with a border in high contrast',
          async () =>
            String(
              await frame.evaluate(
                `getComputedStyle(document.querySelector('header button')).borderTopColor`,
              ),
            ),
          (border) => border !== 'rgba(0, 0, 0, 0)',
        );
      assert.ok(existsSync(await workbench.screenshot(`preview-theme-${bodyClass}`)));
    }
  });
});

/** The preview state the extension saved for the workspace (user data is beside it). */
function savedPanelState(workspace: string): { threshold: number; images: string[] } | undefined {
  const storage = join(workspace, '..', 'user-data', 'User', 'workspaceStorage');
  for (const id of existsSync(storage) ? readdirSync(storage) : []) {
    const file = join(storage, id, 'tfod-sagemaker.tfod-sagemaker', 'preview-state.json');
    if (existsSync(file))
      return JSON.parse(readFileSync(file, 'utf8')) as { threshold: number; images: string[] };
  }
  return undefined;
}

/** The Explorer's row for `path` (folder names, then the file), expanding folders on the way. */
async function explorerRow(page: Page, path: readonly string[]) {
  const explorer = page.locator('.explorer-folders-view');
  if (!(await explorer.isVisible())) await page.keyboard.press('Control+Shift+E');
  await explorer.waitFor({ state: 'visible', timeout: 15_000 });
  let row = explorer.locator('.monaco-list-row').first();
  for (const [i, name] of path.entries()) {
    row = explorer.locator(`.monaco-list-row[aria-label="${name}"]`).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    if (i < path.length - 1 && (await row.getAttribute('aria-expanded')) === 'false')
      await row.click();
  }
  return row;
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

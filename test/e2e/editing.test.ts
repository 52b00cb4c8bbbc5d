import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { formatText } from '../../src/textproto';
import { openWorkbench, runCommand, waitForValue, type Workbench } from './harness/workbench';

// Editing a real model-zoo pipeline (the validation fixture: ssd_mobilenet_v2 with a misspelled
// field on line 134) in a real VS Code: completion inside `ssd { }`, hover, Format Document and the
// quick fix, all answered by the bundled language server.

async function goTo(page: Page, line: number, column = 1): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await input.press('Enter');
}

async function replaceLine(page: Page, line: number, text: string): Promise<void> {
  // Column 1 (Home would stop at the indentation), the whole line selected, the text inserted
  // as a paste would (typing `{` would auto-close it).
  await goTo(page, line, 1);
  await page.keyboard.press('Shift+End');
  await page.keyboard.insertText(text);
}

async function save(page: Page, file: string, test: (text: string) => boolean): Promise<string> {
  await page.keyboard.press('Control+S');
  return waitForValue(
    'the saved file to be as expected',
    async () => readFileSync(file, 'utf8'),
    test,
    30_000,
  );
}

describe('editing a pipeline config in a real VS Code (code-server + Chromium)', () => {
  let workbench: Workbench;
  let file: string;

  before(async () => {
    workbench = await openWorkbench('validation-project');
    file = join(workbench.workspace, 'pipeline.config');
    const { page } = workbench;
    await runCommand(page, 'Go to File...');
    const quick = page.locator('.quick-input-widget input');
    await quick.fill('pipeline.config');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'pipeline.config' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await quick.press('Enter');
    await page
      .locator('.monaco-editor .view-lines')
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    // The server is up once it publishes the misspelled field.
    await page
      .locator('.monaco-editor .squiggly-error')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
  });

  after(async () => {
    await workbench?.close();
  });

  it('hover on num_classes shows its path and doc', async () => {
    const { page } = workbench;
    await goTo(page, 5, 7);
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'model.ssd.num_classes' });
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    // The hover fills in as its parts render: wait for the doc rather than read once.
    await waitForValue(
      'the hover to hold the doc of num_classes',
      () => hover.allTextContents(),
      (texts) => texts.some((text) => /Number of object classes/.test(text)),
      15_000,
    );
    assert.ok(existsSync(await workbench.screenshot('editing-hover')));
    await page.keyboard.press('Escape');
  });

  it('completion inside ssd { } offers num_classes with its doc and inserts it', async () => {
    const { page } = workbench;
    await replaceLine(page, 5, '    num_');
    await page.keyboard.press('Control+Space');
    const row = page
      .locator('.suggest-widget .monaco-list-row', { hasText: 'num_classes' })
      .first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    // Show the details side panel (documentation) if it does not show by itself. Ctrl+Space
    // toggles it, so give the doc a moment to render before deciding: pressing while it is on its
    // way would hide it.
    const details = page.locator('.suggest-details', { hasText: 'Number of object classes' });
    const shown = await details.waitFor({ state: 'visible', timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (!shown) await page.keyboard.press('Control+Space');
    await details.waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(existsSync(await workbench.screenshot('editing-completion')));
    await page.keyboard.press('Enter');
    await page.keyboard.type('2');
    await save(page, file, (t) => t.includes('\n    num_classes: 2\n'));
  });

  it('the quick fix for the misspelled field repairs it', async () => {
    const { page } = workbench;
    await goTo(page, 134, 4);
    await runCommand(page, 'Quick Fix...');
    const action = page
      .locator('.action-widget .monaco-list-row', { hasText: 'batch_size' })
      .first();
    await action.waitFor({ state: 'visible', timeout: 30_000 });
    await action.click();
    const saved = await save(page, file, (t) => !t.includes('bacth_size'));
    assert.match(saved, /\n {2}batch_size: /);
  });

  it('Format Document fixes a badly indented file and leaves a formatted one unchanged', async () => {
    const { page } = workbench;
    await replaceLine(page, 6, 'image_resizer   {');
    await save(page, file, (t) => t.includes('\nimage_resizer   {\n'));
    await runCommand(page, 'Format Document');
    const formatted = await save(page, file, (t) => t.includes('\n    image_resizer {\n'));
    assert.equal(formatted, formatText(formatted).text, 'the formatted file is canonical');
    assert.ok(formatted.includes('iou_similarity {}'));
    // Formatting again changes nothing: the editor stays clean (no dirty tab).
    await runCommand(page, 'Format Document');
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('.tab.dirty').count(), 0);
    assert.equal(readFileSync(file, 'utf8'), formatted);
  });
});

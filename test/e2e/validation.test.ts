import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  expectCount,
  openWorkbench,
  runCommand,
  waitForValue,
  type Workbench,
} from './harness/workbench';

// A config with a misspelled field (line 134) and num_classes 1 while its label map has ids up to
// 2 (line 5), opened in a real VS Code: both problems show in the Problems panel at their lines,
// and fixing them in the editor clears them.

interface Problem {
  text: string;
}

async function problems(page: Page): Promise<Problem[]> {
  const rows = page.locator('.markers-panel .monaco-list-row');
  const texts = await rows.allTextContents();
  return texts.map((text) => ({ text }));
}

async function waitForProblems(
  page: Page,
  test: (rows: Problem[]) => boolean,
  what: string,
): Promise<Problem[]> {
  return waitForValue(`${what} in the Problems panel`, () => problems(page), test, 60_000);
}

/** Replaces the text of line `line` (1-based) in the active editor, as a user would type it. */
async function replaceLine(page: Page, line: number, text: string): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await input.press('Enter');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type(text);
}

describe('validation in a real VS Code (code-server + Chromium)', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench('validation-project');
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the misspelled field and the wrong num_classes at their lines, and clears them when fixed', async () => {
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
    // The language of the editor: the manifest maps pipeline.config to text format.
    await page
      .locator('.statusbar-item', { hasText: 'Protobuf Text Format' })
      .waitFor({ state: 'visible', timeout: 30_000 });

    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const rows = await waitForProblems(
      page,
      (r) =>
        r.some((x) => x.text.includes('bacth_size')) &&
        r.some((x) => x.text.includes('num_classes is 1')),
      'both diagnostics to appear',
    );
    const unknown = rows.find((r) => r.text.includes('bacth_size'))!;
    assert.match(
      unknown.text,
      /unknown field 'bacth_size' in 'TrainConfig'; did you mean 'batch_size'\?/,
    );
    assert.match(unknown.text, /\[Ln 134, Col 3\]/);
    const classes = rows.find((r) => r.text.includes('num_classes is 1'))!;
    assert.match(classes.text, /ids up to 2/);
    assert.match(classes.text, /\[Ln 5, Col 18\]/);
    // Squiggles in the editor too (decorations render a moment after the Problems panel fills).
    await page
      .locator('.monaco-editor .squiggly-error')
      .first()
      .waitFor({ state: 'attached', timeout: 15_000 });
    assert.ok((await page.locator('.monaco-editor .squiggly-error').count()) >= 1);
    assert.ok(existsSync(await workbench.screenshot('validation-problems')));

    // Fix both in the editor.
    await page.locator('.monaco-editor .view-lines').first().click();
    await replaceLine(page, 134, '  batch_size: 8');
    await replaceLine(page, 5, '    num_classes: 2');
    await waitForProblems(
      page,
      (r) => !r.some((x) => x.text.includes('bacth_size') || x.text.includes('num_classes is')),
      'both diagnostics to clear after the fixes',
    );
    // The editor drops its squiggles a moment after the Problems panel clears.
    await expectCount(
      page.locator('.monaco-editor .squiggly-error'),
      0,
      'no error squiggles after the fixes',
      15_000,
    );
    assert.ok(existsSync(await workbench.screenshot('validation-fixed')));
  });

  it('offers Train with this Config and Validate on the config, and Validate saves and runs tfod validate', async () => {
    const { page } = workbench;
    // The editor title's actions (icons; their names in aria-label).
    for (const name of ['Train with this Config', 'Validate Config'])
      await page
        .locator(`.editor-actions .action-label[aria-label^="${name}"]`)
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
    // The CodeLens above the first line.
    const lenses = page.locator('.monaco-editor .codelens-decoration a');
    await waitForValue(
      'the CodeLens above line 1',
      () => lenses.allTextContents(),
      (texts) => texts.includes('Train with this Config') && texts.includes('Validate'),
      30_000,
    );
    // An unsaved edit (a comment at the end): Validate saves the file before the CLI reads it.
    const onDisk = join(workbench.workspace, 'pipeline.config');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('# checked by Validate');
    // Back to the top, where the CodeLens is.
    await page.keyboard.press('Control+Home');
    assert.doesNotMatch(readFileSync(onDisk, 'utf8'), /# checked by Validate/, 'not saved yet');
    await lenses.filter({ hasText: /^Validate$/ }).click();
    await waitForValue(
      'the config saved by Validate',
      async () => readFileSync(onDisk, 'utf8'),
      (text) => text.includes('# checked by Validate'),
      15_000,
    );
    // The task runs in the integrated terminal (xterm.js), which the panel shows.
    await page.locator('.xterm').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(existsSync(await workbench.screenshot('validation-codelens')));
  });
});

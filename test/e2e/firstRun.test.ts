import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  expectCount,
  openWorkbench,
  runCommand,
  waitForValue,
  waitUntil,
  type Workbench,
} from './harness/workbench';

// A new user's first minutes with the installed .vsix, in a workspace outside this repository,
// through the UI only: the Jobs view's welcome on the local target offers Create Sample Project,
// which writes the sample, and the palette offers Build Training Image but no S3 or ECR step.

describe('a first run from the editor alone', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench('validation-project');
  });

  after(async () => {
    await workbench?.close();
  });

  it('creates the sample project from the welcome of the Jobs view', async () => {
    const { page } = workbench;
    await page
      .locator('.activitybar .action-item a[aria-label^="Object Detection"]')
      .first()
      .click();
    const welcome = page.locator('.welcome-view-content', { hasText: 'No training jobs yet' });
    await welcome.waitFor({ state: 'visible', timeout: 60_000 });
    const button = welcome.locator('a.monaco-button', { hasText: 'Create Sample Project' });
    await expectCount(button, 1, 'the Create Sample Project button');
    await button.click();
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Create Sample Project (1/1)' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const input = page.locator('.quick-input-widget input');
    assert.equal(await input.inputValue(), join(workbench.workspace, 'tfod-sample'));
    await input.press('Enter');
    const sample = join(workbench.workspace, 'tfod-sample');
    await waitForValue(
      'the sample project on disk',
      async () => (existsSync(sample) ? readdirSync(sample).sort() : []),
      (files) => files.includes('pipeline.config') && files.includes('label_map.pbtxt'),
      30_000,
    );
    await page
      .locator('.notifications-toasts', { hasText: 'Wrote the sample project' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(existsSync(await workbench.screenshot('first-run-sample')));
  });

  it('offers Build Training Image in the palette on the local target, and no S3 upload', async () => {
    const { page } = workbench;
    const input = page.locator('.quick-input-widget input');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // "Training" matches a handful of commands (ours), few enough that the list renders them all.
    await input.fill('>Training');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await expectCount(
      rows.filter({ hasText: 'Object Detection: Build Training Image' }),
      1,
      'Build Training Image in the palette',
    );
    await expectCount(
      rows.filter({ hasText: 'Upload Training Data to S3' }),
      0,
      'no S3 upload on the local target',
    );
    await expectCount(
      rows.filter({ hasText: 'Push Training Image to ECR' }),
      0,
      'no ECR push on the local target',
    );
    await page.keyboard.press('Escape');
  });

  it("finds the extension's commands when 'tfod' is typed in the palette", async () => {
    const { page } = workbench;
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The palette matches titles, not ids: the one title with the CLI's name in it answers.
    await input.fill('>tfod');
    const entry = rows.filter({ hasText: 'Object Detection: Show All Commands (tfod)' });
    await expectCount(entry, 1, "the palette's answer to tfod");
    await input.press('Enter');
    // ...and opens the palette again on every command of the extension.
    await waitForValue(
      'the palette filled in with the category',
      () => input.inputValue(),
      (value) => value === '>Object Detection: ',
    );
    const labels = await waitForValue(
      'the extension’s commands, and only those',
      () => rows.evaluateAll((all) => all.map((row) => row.getAttribute('aria-label') ?? '')),
      (shown) => shown.length >= 8 && shown.every((l) => l.startsWith('Object Detection: ')),
    );
    for (const title of ['Create Sample Project', 'Preview Detections', 'Select Target'])
      assert.ok(
        labels.some((l) => l.startsWith(`Object Detection: ${title}`)),
        `${title} in ${labels.join(' | ')}`,
      );
    await page.keyboard.press('Escape');
  });

  it('shows the settings under the extension in the Settings editor: the target first, no "Tfod ›"', async () => {
    const { page } = workbench;
    await runCommand(page, 'Preferences: Open Settings (UI)');
    const toc = page.locator('.settings-toc-container');
    await toc.waitFor({ state: 'visible', timeout: 30_000 });
    // The table of contents: Extensions, opened (a click does), then the extension's own entry,
    // scrolled to among the others (the list draws only the rows in view).
    const extensions = toc.locator('.monaco-list-row[aria-label^="Extensions"]').first();
    await extensions.click();
    const ours = toc.locator(
      '.monaco-list-row[aria-label^="TensorFlow Object Detection for SageMaker"]',
    );
    await waitUntil(
      "the extension's entry in the table of contents",
      async () => {
        if ((await ours.count()) > 0) return true;
        await toc.hover();
        await page.mouse.wheel(0, 200);
        return false;
      },
      20_000,
    );
    await ours.first().click();
    // The settings list, in its order: group titles, and each setting as "Category: Label".
    const shown = () =>
      page.locator('.settings-tree-container .monaco-list-row').evaluateAll((all) =>
        all
          .sort(
            (a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')),
          )
          .map((row) => {
            const group = row.querySelector('.settings-group-title-label');
            if (group) return `# ${group.textContent ?? ''}`;
            const category = row.querySelector('.setting-item-category')?.textContent ?? '';
            const label = row.querySelector('.setting-item-label')?.textContent ?? '';
            return `${category}${label}`.trim();
          }),
      );
    const rows = await waitForValue(
      "the extension's group with the target first",
      shown,
      (texts) => {
        const at = texts.indexOf('# TensorFlow Object Detection for SageMaker');
        return at >= 0 && texts[at + 1] === '# Object Detection' && texts[at + 2] === 'Target';
      },
      20_000,
    );
    const ourRows = rows.slice(rows.indexOf('# TensorFlow Object Detection for SageMaker'));
    for (const shown of ['Jobs: Targets', '# Amazon SageMaker', 'Profile'])
      assert.ok(ourRows.includes(shown), `${shown} in ${ourRows.join(' | ')}`);
    assert.ok(!ourRows.some((text) => /Tfod/.test(text)), ourRows.join(' | '));
    assert.ok(existsSync(await workbench.screenshot('settings-object-detection')));
  });
});

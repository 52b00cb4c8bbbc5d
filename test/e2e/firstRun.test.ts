import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectCount, openWorkbench, waitForValue, type Workbench } from './harness/workbench';

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
});

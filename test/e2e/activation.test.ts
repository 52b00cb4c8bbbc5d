import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  expectCount,
  motoEnvironment,
  openWorkbench,
  runCommand,
  waitForValue,
  type Workbench,
} from './harness/workbench';

describe('the extension in a real VS Code (code-server + Chromium)', () => {
  let workbench: Workbench;

  before(async () => {
    // The extension host reaches "AWS" through the SDK's standard variables, here a moto server.
    workbench = await openWorkbench('sample-project', { env: motoEnvironment() });
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the Object Detection view with its welcome and activates', async () => {
    const { page } = workbench;
    const container = page
      .locator('.activitybar .action-item a[aria-label^="Object Detection"]')
      .first();
    await container.waitFor({ state: 'visible', timeout: 60_000 });
    await container.click();
    const welcome = page.locator('.welcome-view-content', { hasText: 'No training jobs yet' });
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    // The welcome re-renders as the extension's context keys come in. On the local target with
    // Docker running: one button, the sample project, and no S3 or ECR action.
    await expectCount(
      welcome.locator('a.monaco-button', { hasText: 'Create Sample Project' }),
      1,
      'the Create Sample Project button',
    );
    await expectCount(welcome.locator('a.monaco-button'), 1, 'one button');
    await expectCount(
      welcome.locator('a.monaco-button', { hasText: 'Upload Training Data to S3' }),
      0,
      'no S3 upload on the local target',
    );
    // The status bar item is created by activate(): its presence proves the extension ran.
    const status = page.locator('.statusbar-item', { hasText: 'Object Detection: local' });
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    const shot = await workbench.screenshot('activation-jobs-view');
    assert.ok(existsSync(shot));
  });

  it('Select Target from the palette switches to sagemaker and writes the workspace setting', async () => {
    const { page } = workbench;
    await runCommand(page, 'Object Detection: Select Target');
    const option = page.locator('.quick-input-list .monaco-list-row', {
      hasText: 'Amazon SageMaker',
    });
    await option.waitFor({ state: 'visible', timeout: 15_000 });
    await option.click();
    await page
      .locator('.statusbar-item', { hasText: 'Object Detection: sagemaker' })
      .waitFor({ state: 'visible', timeout: 15_000 });
    const settingsFile = join(workbench.workspace, '.vscode', 'settings.json');
    // VS Code writes the file a moment after the status bar changes (a partial write fails to
    // parse, and counts as not yet).
    await waitForValue(
      "'tfod.target': 'sagemaker' in .vscode/settings.json",
      async () =>
        existsSync(settingsFile)
          ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)
          : 'no settings file',
      (settings) => typeof settings === 'object' && settings?.['tfod.target'] === 'sagemaker',
      10_000,
    );
    // With the sagemaker target, the AWS item shows the account STS reports, and no secret.
    const account = page.locator('.statusbar-item', { hasText: '123456789012 · us-east-1' });
    await account.waitFor({ state: 'visible', timeout: 30_000 });
    assert.doesNotMatch(await page.locator('.statusbar').innerText(), /testing/);
    await workbench.screenshot('target-sagemaker');
  });
});

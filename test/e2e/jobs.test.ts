import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Page } from 'playwright-core';
import {
  expectCount,
  motoEnvironment,
  openWorkbench,
  runCommand,
  waitForValue,
  type Workbench,
} from './harness/workbench';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SageMakerExecutionRole`;
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/tfod-sagemaker:2.9.1-gpu`;

/** Waits for step `n` of the guided flow, then types `text` (or keeps the default) and Enter. */
async function answer(page: Page, n: number, text?: string): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: `Start Training Job (${n}/13)` })
    .waitFor({ state: 'visible', timeout: 15_000 });
  const input = page.locator('.quick-input-widget input');
  if (text !== undefined) await input.fill(text);
  await input.press('Enter');
}

describe('training jobs from the palette into the jobs view (code-server, moto)', () => {
  let workbench: Workbench;
  const moto = process.env.TFOD_TEST_MOTO_URL ?? '';
  const job = `tfod-e2e-${process.pid}-${Date.now() % 100000}`;

  before(async () => {
    workbench = await openWorkbench('sample-project', { env: motoEnvironment() });
    // The workspace settings a user would have: the sagemaker target, a role and a data prefix.
    mkdirSync(join(workbench.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(workbench.workspace, '.vscode', 'settings.json'),
      JSON.stringify({
        'tfod.target': 'sagemaker',
        'tfod.training.roleArn': ROLE,
        'tfod.data.s3Prefix': 's3://tfod-e2e-bucket/data/',
      }),
    );
  });

  after(async () => {
    await workbench?.close();
  });

  it('starts a training job with the guided flow and shows it in the jobs view with its status', async () => {
    const { page } = workbench;
    await page
      .locator('.activitybar .action-item a[aria-label^="Object Detection"]')
      .first()
      .click();
    await page
      .locator('.statusbar-item', { hasText: 'Object Detection: sagemaker' })
      .waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Object Detection: Start Training Job');
    await answer(page, 1, job);
    await answer(page, 2, IMAGE);
    await answer(page, 3); // the role from tfod.training.roleArn
    await answer(page, 4); // the first instance type: a GPU one
    for (const n of [5, 6, 7]) await answer(page, n);
    await answer(page, 8); // On-demand capacity (listed first when spot was not used last)
    await answer(page, 9); // the training channel from tfod.data.s3Prefix
    await answer(page, 10); // no checkpoint channel
    await answer(page, 11); // output beside the data
    await answer(page, 12, '500');
    await answer(page, 13); // no TensorFlow Lite export

    const row = page.locator('.pane-body .monaco-list-row', { hasText: job });
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    // moto completes jobs at once: the node says so in its description and icon.
    await page
      .locator('.pane-body .monaco-list-row', { hasText: job })
      .filter({ hasText: 'Completed' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    // The tree re-renders its rows as the job and its group come in.
    await expectCount(row.locator('.codicon-pass'), 1, 'the Completed icon');
    await expectCount(
      page.locator('.pane-body .monaco-list-row', { hasText: 'Amazon SageMaker' }),
      1,
      'grouped under its target',
    );
    assert.ok(existsSync(await workbench.screenshot('jobs-view-started-job')));
  });

  it("opens the metrics chart of the job, drawn from its log's #metric lines", async () => {
    const { page } = workbench;
    const logs = new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint: moto,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const logGroupName = '/aws/sagemaker/TrainingJobs';
      await logs.send(new CreateLogGroupCommand({ logGroupName })).catch((e: { name?: string }) => {
        if (e.name !== 'ResourceAlreadyExistsException') throw e;
      });
      const logStreamName = `${job}/algo-1-1700000000`;
      await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName,
          logEvents: [100, 200, 300, 400, 500].map((step, i) => ({
            timestamp: now + i,
            message: `#metric step=${step} total_loss=${(2 / (i + 1)).toFixed(3)} learning_rate=0.004`,
          })),
        }),
      );
    } finally {
      logs.destroy();
    }
    await runCommand(page, 'Object Detection: Show Training Metrics');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: job }).first();
    await pick.waitFor({ state: 'visible', timeout: 30_000 });
    await pick.click();
    const chart = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await chart.locator('h1', { hasText: job }).waitFor({ state: 'visible', timeout: 60_000 });
    // The chart redraws whenever the host sends it the series: wait for the whole of it.
    const lines = chart.locator('path.line');
    await waitForValue(
      'the total_loss and learning_rate lines, total_loss through five points',
      () =>
        lines.evaluateAll((paths) =>
          paths.map((p) => ({ metric: p.getAttribute('data-metric'), d: p.getAttribute('d') })),
        ),
      (drawn) =>
        drawn.length === 2 &&
        drawn[0]?.metric === 'total_loss' &&
        drawn[1]?.metric === 'learning_rate' &&
        (drawn[0].d ?? '').split('L').length === 5,
      30_000,
    );
    assert.ok(existsSync(await workbench.screenshot('metrics-chart')));
  });
});

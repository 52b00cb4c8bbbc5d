import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { Locator, Page } from 'playwright-core';
import { connectDocker } from '../../src/core/docker/engine';
import { LABELS, workspaceHash } from '../../src/core/local';
import { buildTestImage, removeWorkspaceContainers } from '../integration/local/harness';
import { postImage } from '../integration/serving/client';
import { COCO, fixtures } from '../integration/serving/fixtures';
import { defaultTrainingFiles } from '../integration/training/harness';
import {
  expectCount,
  openFile,
  openWorkbench,
  previewFrame,
  runCommand,
  runContextMenuItem,
  waitForValue,
  type Workbench,
} from './harness/workbench';

// The local target (the default) end to end in a real VS Code: a training job started from the
// palette runs in Docker (the test image: the bundled train and serve, the stand-in for the TF
// scripts), moves to Completed in the jobs view, is served locally from its context menu, and the
// endpoint shows with its URL, answers /invocations and stops from its inline action.

/** Waits for step `n` of a guided flow titled `title`, then types `text` (or keeps the default). */
async function answer(page: Page, title: string, n: number, text?: string): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: `${title} (${n}/` })
    .waitFor({ state: 'visible', timeout: 30_000 });
  const input = page.locator('.quick-input-widget input');
  if (text !== undefined) await input.fill(text);
  await input.press('Enter');
}

/** The URL an endpoint row shows (the tree fills in its description as the endpoint comes up). */
async function endpointUrl(endpointRow: Locator): Promise<string> {
  const pattern = /http:\/\/127\.0\.0\.1:\d+/;
  const text = await waitForValue(
    'a URL in the endpoint row',
    async () => (await endpointRow.first().allInnerTexts()).join(' ').replace(/\s+/g, ' '),
    (shown) => pattern.test(shown),
    15_000,
  );
  return pattern.exec(text)![0];
}

describe('the local target in a real VS Code: train, serve locally, see the endpoint', () => {
  let workbench: Workbench;
  let docker: Docker;
  let image: ReturnType<typeof buildTestImage>;
  const job = `e2e-local-${process.pid % 100000}`;
  const endpoint = `${job}-local`;

  before(async () => {
    assert.equal(
      process.env.TFOD_TEST_DOCKER_ERROR,
      undefined,
      `docker is not available: ${process.env.TFOD_TEST_DOCKER_ERROR}`,
    );
    fixtures();
    docker = connectDocker();
    image = buildTestImage('tfod-e2e-local');
    workbench = await openWorkbench('sample-project');
    const ws = workbench.workspace;
    // The project as the stand-in trains it: config, label map and TFRecords in data/, a
    // pre-trained checkpoint in pretrained/; the serving settings of this workspace.
    for (const [file, content] of Object.entries(defaultTrainingFiles())) {
      mkdirSync(join(ws, 'data', file, '..'), { recursive: true });
      writeFileSync(join(ws, 'data', file), content);
    }
    const checkpoint = join(ws, 'pretrained', 'ssd_mobilenet_v2');
    mkdirSync(join(checkpoint, 'checkpoint'), { recursive: true });
    writeFileSync(join(checkpoint, 'checkpoint', 'ckpt-0.index'), 'index');
    writeFileSync(join(checkpoint, 'checkpoint', 'ckpt-0.data-00000-of-00001'), 'data');
    writeFileSync(join(checkpoint, 'pipeline.config'), 'model {}\n');
    mkdirSync(join(ws, 'photos'), { recursive: true });
    cpSync(fixtures().photoPath('chelsea'), join(ws, 'photos', 'chelsea.png'));
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(
      join(ws, '.vscode', 'settings.json'),
      JSON.stringify({
        'tfod.local.modelServerWorkers': 1,
        'tfod.local.modelServerTimeout': 30,
        'tfod.local.healthTimeoutSeconds': 120,
      }),
    );
  });

  after(async () => {
    if (workbench) await removeWorkspaceContainers(docker, workbench.workspace);
    await workbench?.close();
    image?.remove();
  });

  it('starts a local job from the palette and sees it move to Completed in the jobs view', async () => {
    const { page } = workbench;
    await page
      .locator('.activitybar .action-item a[aria-label^="Object Detection"]')
      .first()
      .click();
    await page
      .locator('.statusbar-item', { hasText: 'Object Detection: local' })
      .waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Object Detection: Start Training Job');
    const title = 'Start Local Training Job';
    await answer(page, title, 1, job);
    await answer(page, title, 2, image.image);
    await answer(page, title, 3, 'data');
    await answer(page, title, 4, 'pretrained');
    await answer(page, title, 5, '200');
    await answer(page, title, 6); // no TensorFlow Lite export

    const row = page.locator('.pane-body .monaco-list-row', { hasText: job }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    await page
      .locator('.pane-body .monaco-list-row', { hasText: job })
      .filter({ hasText: 'Completed' })
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 });
    // The tree re-renders its rows as the job and its group come in.
    await expectCount(row.locator('.codicon-pass'), 1, 'the Completed icon');
    await expectCount(
      page.locator('.pane-body .monaco-list-row', { hasText: 'Local (Docker)' }),
      1,
      'grouped under the local target',
    );
    const jobFolder = join(workbench.workspace, '.tfod', 'jobs', job);
    assert.ok(existsSync(join(jobFolder, 'output', 'model.tar.gz')), 'the packaged model');
    assert.ok(existsSync(await workbench.screenshot('local-job-completed')));
  });

  it('serves the job locally from its context menu; the endpoint shows with its URL and answers', async () => {
    const { page } = workbench;
    // The stand-in's model cannot be served: give the job the COCO GraphModel, as a job of an
    // image that exports TensorFlow.js would leave it.
    const model = join(workbench.workspace, '.tfod', 'jobs', job, 'model');
    rmSync(model, { recursive: true, force: true });
    cpSync(fixtures().modelDir, model, { recursive: true });

    const row = page.locator('.pane-body .monaco-list-row', { hasText: job }).first();
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Serve Model Locally' });
    await item.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(
      await page
        .locator('.monaco-menu .action-item', { hasText: 'Deploy Model to Endpoint' })
        .count(),
      0,
      'a local job is served locally, not deployed to SageMaker',
    );
    // The browser's context menu acts on the focused item with Enter (a click can land before
    // the menu takes mouse input).
    await item.first().hover();
    await page.keyboard.press('Enter');
    await answer(page, 'Serve Model Locally', 1); // <job>-local
    await answer(page, 'Serve Model Locally', 2); // the job's image

    const endpointRow = page
      .locator('.pane-body .monaco-list-row', { hasText: endpoint })
      .filter({ hasText: 'InService' });
    await endpointRow.first().waitFor({ state: 'visible', timeout: 120_000 });
    const url = await endpointUrl(endpointRow);
    // Its tooltip names the URL to POST to. A hover can be lost (the tree refreshes under the
    // pointer): the pointer leaves and comes back until it shows.
    const tooltip = page
      .locator('.monaco-hover', { hasText: `URL: ${url} (POST ${url}/invocations)` })
      .first();
    await waitForValue(
      "the endpoint's tooltip with its URL",
      async () => {
        await page.mouse.move(0, 0);
        await endpointRow.first().hover();
        return tooltip.waitFor({ state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
      },
      (shown) => shown,
      45_000,
    );
    assert.ok(existsSync(await workbench.screenshot('local-endpoint-in-service')));

    const cat = await postImage(url, fixtures().photo('chelsea'));
    assert.equal(cat.status, 200, JSON.stringify(cat.body));
    assert.equal(cat.body.prediction?.[0]?.[0], COCO.cat);

    // The settings reached the container.
    const [info] = await docker.listContainers({
      filters: {
        label: [
          `${LABELS.endpoint}=${endpoint}`,
          `${LABELS.workspace}=${workspaceHash(workbench.workspace)}`,
        ],
      },
    });
    assert.ok(info, 'the endpoint container');
    const env = (await docker.getContainer(info.Id).inspect()).Config.Env;
    assert.ok(env.includes('MODEL_SERVER_WORKERS=1'), env.join(' '));
    assert.ok(env.includes('MODEL_SERVER_TIMEOUT=30'), env.join(' '));
  });

  it('previews the local endpoint from its context menu: the container answers cat on chelsea', async () => {
    const { page } = workbench;
    await openFile(page, 'chelsea.png');
    const endpointRow = page
      .locator('.pane-body .monaco-list-row', { hasText: endpoint })
      .filter({ hasText: 'InService' })
      .first();
    const url = await endpointUrl(endpointRow);
    await runContextMenuItem(page, endpointRow, 'Preview Detections');

    const frame = await previewFrame(page);
    await frame
      .locator('.source', { hasText: `Local endpoint ${url}` })
      .waitFor({ state: 'visible', timeout: 30_000 });
    // The photo active in the editor went to the container's POST /invocations.
    const chelsea = frame.locator('section.image[data-path$="chelsea.png"]');
    const cat = chelsea.locator(`li.detection[data-class="${COCO.cat}"]`).first();
    await cat.waitFor({ state: 'visible', timeout: 120_000 });
    assert.ok(Number(await cat.getAttribute('data-score')) >= 0.5);
    assert.match((await chelsea.locator('.latency').textContent()) ?? '', /^\d+ ms$/);
    const raw = JSON.parse((await chelsea.locator('.raw pre').textContent()) ?? '') as {
      prediction: number[][];
    };
    assert.equal(raw.prediction[0]?.[0], COCO.cat, "the raw answer is the server's");
    // The workspace's label map is the project's, not the COCO model's: a banner and class ids,
    // not the project's names.
    await frame
      .locator('.labels-missing', { hasText: `class ${COCO.cat}` })
      .waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await cat.getAttribute('data-label'), `class ${COCO.cat}`);
    assert.ok(existsSync(await workbench.screenshot('local-endpoint-preview')));
  });

  it('stops the endpoint from its inline action', async () => {
    const { page } = workbench;
    const endpointRow = page.locator('.pane-body .monaco-list-row', { hasText: endpoint }).first();
    await endpointRow.hover();
    const copy = endpointRow.locator('.action-label[aria-label="Copy Endpoint URL"]');
    await expectCount(copy, 1, 'the Copy URL action');
    await endpointRow.locator('.action-label[aria-label="Stop Local Endpoint"]').click();
    await endpointRow.waitFor({ state: 'detached', timeout: 60_000 });
    await waitForValue(
      'the endpoint container to be removed',
      async () => {
        const left = await docker.listContainers({
          all: true,
          filters: { label: [`${LABELS.endpoint}=${endpoint}`] },
        });
        return left.map((c) => `${c.Id.slice(0, 12)} ${c.State}`);
      },
      (left) => left.length === 0,
      30_000,
    );
    assert.ok(existsSync(await workbench.screenshot('local-endpoint-stopped')));
  });
});

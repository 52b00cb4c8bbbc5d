import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { connectDocker } from '../../src/core/docker/engine';
import { removeWorkspaceContainers } from '../integration/local/harness';
import {
  expectCount,
  openFile,
  openWorkbench,
  previewFrame,
  runCommand,
  runContextMenuItem,
  waitForEqual,
  waitForValue,
  type Workbench,
} from '../e2e/harness/workbench';
import { BASE_IMAGE, jobFolder, readStatus, removeWorkspace } from './harness';

// A new user's first job with the installed .vsix, through the UI only, in an empty workspace
// outside this repository: Create Sample Project from the Jobs view's welcome, Build Training
// Image from the palette (the .vsix's own build context: the production container/Dockerfile),
// Start Training Job's local flow, the job reaching Completed in the Jobs view, and the trained
// model's detections in the preview opened from the job's context menu.
//
// It is in the training layer, not e2e: the image is the real one (real TensorFlow 2.9 and the
// Object Detection API on the stand-in base that this layer's setup builds), and the job trains
// for real, which is minutes of work that the e2e layer's test image stands in for. The one setup
// step is what a user on this network writes too: the workspace's settings point the build at a
// base image it can reach (tfod.image.buildArgs) and at the CA of the proxy that intercepts TLS
// (tfod.image.caCertificates), as `tfod build --build-arg` and `--ca-certificates` do.

const IMAGE = `tfod-first-job:${process.pid}`;
const JOB = `first-job-${process.pid % 100000}`;
const NUM_STEPS = 100;
const CA_BUNDLE = process.env.PIP_CERT ?? '/etc/ssl/certs/ca-certificates.crt';

/** Waits for step `n` of a guided flow titled `title`. */
async function step(page: Page, title: string, n: number): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: `${title} (${n}/` })
    .waitFor({ state: 'visible', timeout: 30_000 });
}

/** The value a text step offers, once it shows its default. */
async function offered(page: Page): Promise<string> {
  return page.locator('.quick-input-widget input').inputValue();
}

/** The text of every notification toast showing now, and of the error toasts among them. */
async function toasts(page: Page): Promise<{ all: string; errors: string }> {
  const toast = page.locator('.notifications-toasts .notification-toast');
  return {
    all: (await toast.allInnerTexts()).join('\n'),
    errors: (await toast.filter({ has: page.locator('.codicon-error') }).allInnerTexts()).join(
      '\n',
    ),
  };
}

function docker(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The image's layer digests, base first. */
function layers(image: string): string[] {
  const inspect = docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', image);
  assert.equal(inspect.code, 0, inspect.stderr);
  return JSON.parse(inspect.stdout) as string[];
}

/** The preview card's "k of n detections shown", as [k, n]. */
async function shownOf(frame: Frame, image: string): Promise<[number, number] | undefined> {
  const meta = await frame
    .locator(`section.image.result[data-path$="${image}"] .meta`)
    .allTextContents();
  const match = /(\d+) of (\d+) detections shown/.exec(meta.join(' '));
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** A canvas's pixels, as a data URL (run in the webview). */
const pixels = (canvas: unknown): string => (canvas as { toDataURL(): string }).toDataURL();

describe('a first job from the editor alone, with real TensorFlow', () => {
  let workbench: Workbench;

  before(async () => {
    assert.equal(
      process.env.TFOD_TEST_DOCKER_ERROR,
      undefined,
      `docker is not available: ${process.env.TFOD_TEST_DOCKER_ERROR}`,
    );
    const base = docker('image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE);
    assert.equal(base.code, 0, `${BASE_IMAGE} is missing: run test/harness/setup.sh training`);
    assert.ok(existsSync(CA_BUNDLE), `${CA_BUNDLE}: this machine's certificate authorities`);
    workbench = await openWorkbench(undefined, {
      workspaceSettings: {
        'tfod.image.buildArgs': {
          BASE_IMAGE,
          NODE_SOURCE: 'npm',
          TFJS_NATIVE: 'none',
        },
        'tfod.image.caCertificates': [CA_BUNDLE],
      },
    });
  });

  after(async () => {
    if (workbench) {
      await removeWorkspaceContainers(connectDocker(), workbench.workspace);
      // The job folders hold files the container wrote as root.
      removeWorkspace(IMAGE, workbench.workspace);
    }
    await workbench?.close();
    docker('rmi', '-f', IMAGE);
  });

  it('creates the sample project from the welcome of the Jobs view', async () => {
    const { page } = workbench;
    assert.deepEqual(readdirSync(workbench.workspace), ['.vscode'], 'an empty workspace');
    await page
      .locator('.activitybar .action-item a[aria-label^="Object Detection"]')
      .first()
      .click();
    const welcome = page.locator('.welcome-view-content', { hasText: 'No training jobs yet' });
    await welcome.waitFor({ state: 'visible', timeout: 60_000 });
    await welcome.locator('a.monaco-button', { hasText: 'Create Sample Project' }).click();
    await step(page, 'Create Sample Project', 1);
    assert.equal(await offered(page), join(workbench.workspace, 'tfod-sample'));
    await page.locator('.quick-input-widget input').press('Enter');
    await page
      .locator('.notifications-toasts', { hasText: 'Wrote the sample project' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const sample = readdirSync(join(workbench.workspace, 'tfod-sample'));
    for (const file of ['pipeline.config', 'label_map.pbtxt', 'validation.record', 'images'])
      assert.ok(sample.includes(file), `${file} in ${sample.join(' ')}`);
  });

  it("builds the training image from the palette, on the workspace's build settings", async () => {
    const { page } = workbench;
    await runCommand(page, 'Object Detection: Build Training Image');
    const title = 'Build Training Image';
    await step(page, title, 1);
    // The local target offers the CPU image first.
    const active = page.locator('.quick-input-list .monaco-list-row.focused');
    await waitForValue(
      'the CPU architecture offered first',
      async () => (await active.allInnerTexts()).join(' '),
      (text) => /^2\.9\.1(?![-\d])/.test(text.trim()) && text.includes('CPU'),
    );
    await page.locator('.quick-input-widget input').press('Enter');
    await step(page, title, 2);
    assert.equal(await offered(page), 'tfod-sagemaker:2.9.1');
    await page.locator('.quick-input-widget input').fill(IMAGE);
    await page.locator('.quick-input-widget input').press('Enter');

    // The build's progress shows in a notification; its end is the next step's offer (or the
    // error, which the assertion then shows). From Docker's cache this is seconds, from nothing
    // many minutes (PyPI and npm).
    const { all: ended, errors } = await waitForValue(
      'the build to end',
      () => toasts(page),
      (shown) => shown.all.includes('Built the training image') || shown.errors !== '',
      1_800_000,
    );
    assert.equal(errors, '', 'no error');
    assert.match(
      ended,
      new RegExp(`Built the training image ${IMAGE.replace(/[.:]/g, '\\$&')}\\.`),
    );
    assert.match(ended, /Start Training Job/, 'the next step on the local target');
    assert.doesNotMatch(ended, /Push to ECR/);
    assert.ok(existsSync(await workbench.screenshot('first-job-image-built')));

    // What the settings asked for reached the build: the stand-in base under it, this machine's
    // CA in it, no native TensorFlow binding.
    const base = layers(BASE_IMAGE);
    assert.deepEqual(layers(IMAGE).slice(0, base.length), base, `built on ${BASE_IMAGE}`);
    const probe = docker(
      'run',
      '--rm',
      IMAGE,
      'bash',
      '-c',
      'ls /usr/local/share/ca-certificates/tfod/; ls /opt/tfod/node_modules/@tensorflow 2>/dev/null || echo "no native binding"',
    );
    assert.equal(probe.code, 0, probe.stderr);
    assert.match(probe.stdout, /^tfod-extra-0-ca-certificates\.crt$/m);
    assert.match(probe.stdout, /^no native binding$/m);
  });

  it('starts a local job with the image just built, and the Jobs view shows it Completed', async () => {
    const { page } = workbench;
    await runCommand(page, 'Object Detection: Start Training Job');
    const title = 'Start Local Training Job';
    const input = page.locator('.quick-input-widget input');
    await step(page, title, 1);
    await input.fill(JOB);
    await input.press('Enter');
    await step(page, title, 2);
    assert.equal(await offered(page), IMAGE, 'the image Build Training Image made');
    await input.press('Enter');
    await step(page, title, 3);
    assert.equal(await offered(page), join(workbench.workspace, 'tfod-sample'));
    await input.press('Enter');
    await step(page, title, 4);
    assert.equal(await offered(page), '', 'no checkpoint: the sample trains from scratch here');
    await input.press('Enter');
    await step(page, title, 5);
    await input.fill(String(NUM_STEPS));
    await input.press('Enter');
    await step(page, title, 6);
    await input.press('Enter'); // no TensorFlow Lite export

    const row = page.locator('.pane-body .monaco-list-row', { hasText: JOB });
    await row.first().waitFor({ state: 'visible', timeout: 120_000 });
    const ended = await waitForValue(
      `job ${JOB} to end in the Jobs view`,
      async () => (await row.allInnerTexts()).join(' ').replace(/\s+/g, ' '),
      // "<job>Completed · 4m 54s · total_loss …": the label, then the description.
      (text) => /(Completed|Failed|Stopped) · /.test(text),
      1_500_000,
    );
    const status = readStatus(workbench.workspace, JOB);
    assert.match(ended, /Completed · /, `${ended}: ${status?.failureReason ?? ''}`);
    await expectCount(row.first().locator('.codicon-pass'), 1, 'the Completed icon');
    const folder = jobFolder(workbench.workspace, JOB);
    assert.ok(existsSync(join(folder, 'output', 'model.tar.gz')), 'the packaged model');
    assert.ok(existsSync(join(folder, 'model', 'tfjs', 'model.json')), 'its TF.js conversion');
    assert.ok(existsSync(await workbench.screenshot('first-job-completed')));
  });

  it("previews the job's model from its context menu, and its boxes show at a lower threshold", async () => {
    const { page } = workbench;
    const photo = 'validation-000.jpg';
    await openFile(page, photo);
    const row = page.locator('.pane-body .monaco-list-row', { hasText: JOB }).first();
    await runContextMenuItem(page, row, 'Preview Detections');

    const frame = await previewFrame(page);
    await frame.locator('.source', { hasText: JOB }).waitFor({ state: 'visible', timeout: 30_000 });
    // The model loads in the extension host (its TF.js conversion, on wasm) and answers at the
    // preview's floor; the panel shows what passes the default threshold.
    const [atDefault, returned] = (await waitForValue(
      `the answer for ${photo}`,
      () => shownOf(frame, photo),
      (value) => value !== undefined,
      300_000,
    ))!;
    assert.equal(((await frame.locator('output').allTextContents()) ?? []).join(), '0.50');
    assert.ok(returned > 0, 'the trained model finds something at the floor (0.05)');
    const card = frame.locator(`section.image[data-path$="${photo}"]`);
    const canvas = card.locator('canvas.picture');
    assert.equal(
      /nothing detected$/.test((await canvas.getAttribute('aria-label')) ?? ''),
      atDefault === 0,
      'the picture says "nothing detected" exactly when no box passes 0.50',
    );
    // A box-free picture to compare with: the threshold at its top.
    const slider = frame.locator('input#threshold');
    await slider.focus();
    await slider.press('End');
    await waitForEqual('the slider', () => frame.locator('output').allTextContents(), ['1.00']);
    await waitForEqual('the boxes at 1.00', () => shownOf(frame, photo), [0, returned]);
    const bare = await canvas.evaluate(pixels);

    // Home: the lowest threshold, every box the model returned.
    await slider.press('Home');
    await waitForEqual('the slider', () => frame.locator('output').allTextContents(), ['0.05']);
    await waitForEqual('every box at 0.05', () => shownOf(frame, photo), [returned, returned]);
    await expectCount(card.locator('li.detection'), returned, 'a row per box');
    const names = await card
      .locator('li.detection')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-label') ?? ''));
    // Named from the label map the job packed with its model.
    for (const name of names) assert.match(name, /^(square|disc)$/, names.join(', '));
    assert.match(
      (await frame.locator('.labels-note').textContent()) ?? '',
      /from the model's label map/,
    );
    assert.doesNotMatch((await canvas.getAttribute('aria-label')) ?? '', /nothing detected/);
    await waitForValue(
      'the boxes drawn on the picture',
      () => canvas.evaluate(pixels),
      (drawn) => drawn !== bare,
    );
    assert.ok(existsSync(await workbench.screenshot('first-job-preview')));
  });
});

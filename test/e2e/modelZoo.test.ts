import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatBytes } from '../../src/core/image/build';
import { writeModelArchive } from '../../src/core/local/modelArchive';
import { findZooModel, type ZooModel } from '../../src/core/modelZoo';
import { zooTf2Config } from '../fixtures/zooConfigs';
import {
  openWorkbench,
  runCommand,
  waitForValue,
  waitUntil,
  type Workbench,
} from './harness/workbench';

// New Project from Model Zoo in a real VS Code: the zoo is a mirror on loopback (the
// tfod.modelZoo.url user setting) serving an archive the test builds in the zoo's layout. The
// mirror holds the download part-way until the test has seen its progress in the notification;
// then the project is written (checkpoint, label map, pipeline.config) and the config opens with
// no error and no warning.

const MODEL = findZooModel('ssd_mobilenet_v2_320x320_coco17_tpu-8') as ZooModel;
const TITLE = 'New Project from Model Zoo';

/** A TF2 zoo config in the zoo's shape: TPU batch, bfloat16, template placeholders. */

/**
 * A zoo mirror that serves one archive. The first response sends `held` bytes and waits for
 * `release()` before the rest, so the test can look at the progress of a download under way.
 */
interface Mirror {
  readonly url: string;
  readonly requests: string[];
  release(): void;
  close(): Promise<void>;
}

async function startMirror(path: string, body: Buffer, held: number): Promise<Mirror> {
  const requests: string[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${url}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    if (url !== path) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length });
    res.write(body.subarray(0, held));
    void released.then(() => res.end(body.subarray(held)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mirror/models/object_detection`,
    requests,
    release: () => release(),
    close: () =>
      new Promise((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A zoo archive: `<name>/pipeline.config`, `<name>/checkpoint/ckpt-0.*`, a saved model. */
async function buildArchive(work: string): Promise<Buffer> {
  const root = join(work, 'archive');
  const inner = join(root, MODEL.name);
  mkdirSync(join(inner, 'checkpoint'), { recursive: true });
  mkdirSync(join(inner, 'saved_model'), { recursive: true });
  writeFileSync(join(inner, 'pipeline.config'), zooTf2Config('SSD MobileNet v2 320x320'));
  // Incompressible, so the archive is large enough to hold part-way.
  const weights = randomBytes(512 * 1024);
  writeFileSync(join(inner, 'saved_model', 'saved_model.pb'), weights.subarray(0, 128 * 1024));
  writeFileSync(join(inner, 'checkpoint', 'ckpt-0.index'), 'index');
  writeFileSync(join(inner, 'checkpoint', 'ckpt-0.data-00000-of-00001'), weights);
  writeFileSync(join(inner, 'checkpoint', 'checkpoint'), 'model_checkpoint_path: "ckpt-0"\n');
  const archive = join(work, `${MODEL.name}.tar.gz`);
  await writeModelArchive(root, archive);
  return readFileSync(archive);
}

describe('New Project from Model Zoo in a real VS Code, from a mirror on loopback', () => {
  let workbench: Workbench;
  let mirror: Mirror;
  let work: string;
  let archive: Buffer;
  const held = 200_000;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tfod-e2e-zoo-'));
    archive = await buildArchive(work);
    assert.ok(archive.length > 2 * held, `the archive (${archive.length} bytes) holds part-way`);
    mirror = await startMirror(
      `/mirror/models/object_detection/${MODEL.archivePath}`,
      archive,
      held,
    );
    workbench = await openWorkbench('sample-project', {
      // The shared cache starts empty: everything comes from the mirror.
      env: { XDG_CACHE_HOME: join(work, 'cache') },
      // A user setting in a remote window (code-server's extension host is remote) is the Remote
      // one: VS Code applies machine-overridable settings only from there.
      machineSettings: { 'tfod.modelZoo.url': mirror.url },
    });
    const ws = workbench.workspace;
    // The folder the user made for the project, and their label map elsewhere in the workspace.
    mkdirSync(join(ws, 'zoo-project'));
    mkdirSync(join(ws, 'labels'));
    writeFileSync(
      join(ws, 'labels', 'animals.pbtxt'),
      "item { id: 1 name: 'cat' }\nitem { id: 2 name: 'dog' }\nitem { id: 3 name: 'bird' }\n",
    );
  });

  after(async () => {
    await workbench?.close();
    await mirror?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('picks the model, folder and label map, shows the download progress, and writes the project', async () => {
    const { page, workspace } = workbench;
    const input = page.locator('.quick-input-widget input');
    await runCommand(page, `Object Detection: ${TITLE}`);

    // 1/5: the TensorFlow version (no image built yet, no architecture set).
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: `${TITLE} (1/5)` })
      .waitFor({ state: 'visible', timeout: 30_000 });
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'TensorFlow 2 images' })
      .click();

    // 2/5: the TF2 zoo, with what users choose by; filtered by the model's name.
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: `${TITLE} (2/5)` })
      .waitFor({ state: 'visible', timeout: 15_000 });
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await waitForValue(
      'TF2 zoo models with their speed and COCO mAP',
      () => rows.evaluateAll((all) => all.map((r) => r.getAttribute('aria-label') ?? '')),
      (labels) =>
        labels.length > 3 &&
        labels.every((l) => /, \d+ ms, COCO mAP [\d./]+, /.test(l)) &&
        labels.every((l) => /_coco17_/.test(l)),
    );
    await input.fill(MODEL.name);
    const picked = await waitForValue(
      `the one row of ${MODEL.name}`,
      () => rows.evaluateAll((all) => all.map((r) => r.getAttribute('aria-label') ?? '')),
      (labels) => labels.length === 1,
    );
    assert.match(
      picked[0]!,
      /^SSD MobileNet v2 320x320, SSD, 320x320, 19 ms, COCO mAP 20\.2, boxes, suits a CPU, /,
    );
    await input.press('Enter');

    // 3/5 to 5/5: the project folder and the label map typed (Browse… is the title bar's), the
    // records left for later.
    const project = join(workspace, 'zoo-project');
    const answer = async (step: number, value: string) => {
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: `${TITLE} (${step}/5)` })
        .waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(value);
      await waitUntil(
        `step ${step} to take ${value || 'an empty answer'}`,
        async () =>
          (await input.inputValue()) === value &&
          (await page.locator('.quick-input-widget .quick-input-message .error').count()) === 0,
        15_000,
      );
      await input.press('Enter');
    };
    await answer(3, project);
    await answer(4, join(workspace, 'labels', 'animals.pbtxt'));
    await answer(5, '');

    // The download, held by the mirror part-way: the notification says how far it is.
    const toast = page.locator('.notifications-toasts .notification-toast', {
      hasText: `Downloading ${MODEL.name}`,
    });
    const expected = `${formatBytes(held)} of ${formatBytes(archive.length)}`;
    await waitForValue(
      `the download's notification to say ${expected}`,
      async () => (await toast.allInnerTexts()).join(' ').replace(/\s+/g, ' '),
      (text) => text.includes(expected),
      60_000,
    );
    // It is cancellable, and nothing is in the project yet.
    assert.equal(await toast.locator('.monaco-button', { hasText: 'Cancel' }).count(), 1);
    assert.deepEqual(readdirSync(project), []);
    assert.ok(existsSync(await workbench.screenshot('zoo-download-progress')));
    mirror.release();

    // The config opens in the editor, and the user is told it validates.
    await page
      .locator('.tabs-container .tab.active', { hasText: 'pipeline.config' })
      .waitFor({ state: 'visible', timeout: 60_000 });
    await page
      .locator('.notifications-toasts', {
        hasText: `${MODEL.name}: the project's pipeline.config is ready (no error, no warning).`,
      })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await toast.waitFor({ state: 'hidden', timeout: 15_000 });

    // On disk: the checkpoint, the label map copied in, and the config rewritten for them.
    assert.deepEqual(readdirSync(project).sort(), [
      'animals.pbtxt',
      'checkpoint',
      'pipeline.config',
    ]);
    assert.deepEqual(readdirSync(join(project, 'checkpoint')).sort(), [
      'checkpoint',
      'ckpt-0.data-00000-of-00001',
      'ckpt-0.index',
    ]);
    assert.deepEqual(
      readFileSync(join(project, 'checkpoint', 'ckpt-0.data-00000-of-00001')).length,
      512 * 1024,
    );
    assert.equal(
      readFileSync(join(project, 'animals.pbtxt'), 'utf8'),
      readFileSync(join(workspace, 'labels', 'animals.pbtxt'), 'utf8'),
    );
    const config = readFileSync(join(project, 'pipeline.config'), 'utf8');
    assert.match(config, /^# SSD MobileNet v2 320x320 \(a stand-in/);
    assert.match(config, /\n {4}num_classes: 3\n/);
    assert.match(config, /\n {2}fine_tune_checkpoint: "checkpoint\/ckpt-0"\n/);
    assert.match(config, /\n {2}fine_tune_checkpoint_type: "detection"\n/);
    assert.match(config, /\n {2}fine_tune_checkpoint_version: V2\n/);
    assert.match(config, /\n {4}use_moving_average: false\n/);
    assert.match(config, /\n {2}use_bfloat16: false\n/);
    assert.equal(config.match(/label_map_path: "animals\.pbtxt"/g)?.length, 2);
    const batch = Number(/\n {2}batch_size: (\d+)\n/.exec(config)?.[1]);
    assert.ok(batch >= 1 && batch < 512, `batch_size ${batch} is sized for this machine`);
    assert.doesNotMatch(config, /fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED"/);

    // The archive came from the mirror once, into the shared cache, verified.
    assert.deepEqual(mirror.requests, [`GET /mirror/models/object_detection/${MODEL.archivePath}`]);
    const cached = join(
      work,
      'cache',
      'tfod-sagemaker',
      'model-zoo',
      'archives',
      MODEL.archivePath,
    );
    assert.deepEqual(readFileSync(cached), archive);
    assert.ok(existsSync(`${cached}.sha256`));
  });

  it('shows the config with no error and no warning in the Problems panel', async () => {
    const { page } = workbench;
    // The diagnostics have come: the template's input paths, left for the user, are hints
    // (dotted underlines at the end of the file), never entries in the Problems panel.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page
      .locator('.monaco-editor .squiggly-hint')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
    await waitUntil(
      'the Problems panel to say there are no problems',
      async () =>
        (await page.locator('.markers-panel .monaco-list-row').count()) === 0 &&
        /No problems have been detected in the workspace/.test(
          (await page.locator('.markers-panel').innerText()).replace(/\s+/g, ' '),
        ),
      15_000,
    );
    assert.equal(
      await page
        .locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning')
        .count(),
      0,
    );
    assert.ok(existsSync(await workbench.screenshot('zoo-project-config')));
  });
});

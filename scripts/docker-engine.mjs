// Makes a Docker engine answer on this machine, the same way for `npm start` and `npm test`:
// reuse one that answers; as root on Debian/Ubuntu, install the engine (apt `docker.io`) when only a
// client or nothing is there, and start it (systemd when it runs, else `dockerd` in the
// background); otherwise fail with the exact commands to run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const onPath = (command) =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** `docker info`: { version } when the engine answers, else { error } (its last line). */
function probe() {
  if (!onPath('docker')) return { error: 'no docker client on PATH' };
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (info.status === 0 && info.stdout.trim()) return { version: info.stdout.trim() };
  const last = `${info.stderr ?? ''}`.trim().split('\n').pop();
  return { error: last || `docker info exited ${info.status ?? info.signal}` };
}

/** The engine's version when `docker info` answers, else undefined. */
export function dockerVersion() {
  return probe().version;
}

const HOW_TO = [
  'sudo apt-get install -y docker.io',
  'sudo systemctl start docker   # or, without systemd: sudo sh -c "setsid dockerd > /var/log/dockerd.log 2>&1 &"',
  'sudo usermod -aG docker "$USER"   # then log in again, so that docker works without sudo',
].join('\n  ');

function tail(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

/**
 * Ensures a Docker engine answers. Resolves to { version, stop? } where stop() stops an engine this
 * call started in the background; rejects with what to do when it cannot.
 * @param {{ logDir: string, log?: (line: string) => void }} options
 */
export async function ensureDockerEngine({ logDir, log = () => {} }) {
  const first = probe();
  if (first.version) return { version: first.version };
  // An engine the user chose (DOCKER_HOST) is theirs to start; this machine's is not asked for.
  if (process.env.DOCKER_HOST)
    throw new Error(
      `the Docker engine at ${process.env.DOCKER_HOST} (DOCKER_HOST) does not answer (${first.error}): start it, or unset DOCKER_HOST to use this machine's engine, and run this again`,
    );
  if (process.platform !== 'linux')
    throw new Error(
      `no Docker engine answers (${first.error}): start Docker Desktop (or your engine), check \`docker info\`, and run this again`,
    );
  const root = process.getuid?.() === 0;
  if (!root && /permission denied/i.test(first.error))
    throw new Error(
      `the Docker engine runs, but this user may not use it (${first.error}). Run:\n  sudo usermod -aG docker "$USER"\nthen log in again (or \`newgrp docker\`), check \`docker info\`, and run this again`,
    );
  if (!root)
    throw new Error(
      `no Docker engine answers (${first.error}), and installing or starting one needs root. Run:\n  ${HOW_TO}\nthen check \`docker info\` and run this again`,
    );
  // An engine already starting (another run started it a moment ago) is waited for, not doubled.
  const starting = spawnSync('pgrep', ['-x', 'dockerd'], { stdio: 'ignore' }).status === 0;
  if (!starting && !onPath('dockerd')) {
    if (!onPath('apt-get'))
      throw new Error(
        'no Docker engine is installed (no dockerd) and this is not a Debian/Ubuntu machine: install Docker Engine (https://docs.docker.com/engine/install/), start it, and run this again',
      );
    log('no Docker engine is installed (no dockerd); installing docker.io (apt)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // A failing `apt-get update` (one broken third-party source) need not stop the install.
    const update = spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', env });
    const install = spawnSync(
      'apt-get',
      ['install', '-y', '-q', '--no-install-recommends', 'docker.io'],
      { encoding: 'utf8', env },
    );
    if (install.status !== 0 || !onPath('dockerd')) {
      const lastError = (output) =>
        `${output ?? ''}`
          .trim()
          .split('\n')
          .filter((line) => /^(E:|Err)/.test(line))
          .pop();
      const why =
        lastError(install.stderr) ??
        (update.status !== 0
          ? `apt-get update: ${lastError(update.stderr) ?? `exit ${update.status}`}`
          : undefined) ??
        `apt-get install exit ${install.status}`;
      throw new Error(
        `installing docker.io with apt-get failed (${why}); install Docker Engine by hand (sudo apt-get install -y docker.io), start it, and run this again`,
      );
    }
  }
  // With systemd as init the service manager owns the engine; without it (containers, WSL),
  // dockerd runs in its own session so that it outlives this process.
  let child;
  let logFile;
  if (starting) {
    log('a dockerd process is running but does not answer yet; waiting for it...');
  } else if (spawnSync('sh', ['-c', '[ -d /run/systemd/system ]']).status === 0) {
    log('starting the Docker engine (systemctl start docker)...');
    const started = spawnSync('systemctl', ['start', 'docker'], { encoding: 'utf8' });
    if (started.status !== 0)
      throw new Error(
        `systemctl start docker failed (${`${started.stderr}`.trim().split('\n').pop() || `exit ${started.status}`}); see journalctl -u docker, fix the cause, and run this again`,
      );
  } else {
    mkdirSync(logDir, { recursive: true });
    logFile = join(logDir, 'dockerd.log');
    log(`starting the Docker engine (dockerd in the background, log: ${logFile})...`);
    const out = openSync(logFile, 'a');
    child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
    child.unref();
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const version = dockerVersion();
    if (version) return { version, stop: child ? () => stopEngine(child) : undefined };
    if (child && child.exitCode !== null) break;
    await sleep(500);
  }
  throw new Error(
    `the Docker engine did not answer within 60 s${logFile ? ` of starting it (last log lines: ${tail(logFile)})` : starting ? ' (a dockerd process was already running: see its log)' : ' of starting it (journalctl -u docker says why)'}; fix the cause and run this again`,
  );
}

function stopEngine(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal(child, 'SIGKILL');
      resolve();
    }, 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal(child, 'SIGTERM');
  });
}

/** Signals the engine's whole process group (dockerd and the containerd it started). */
function signal(child, name) {
  try {
    process.kill(-child.pid, name);
  } catch {
    // already gone
  }
}

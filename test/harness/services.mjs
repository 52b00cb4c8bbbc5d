// Starts the real services the integration layer talks to: a Docker engine, a container registry
// with password auth, and a moto server standing in for AWS. Each service is reused when one is
// already answering, started otherwise, and stopped afterwards only if this run started it.
// A service that cannot start is reported through TFOD_TEST_<NAME>_ERROR so that the tests that
// need it fail with the reason instead of being skipped.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDockerEngine } from '../../scripts/docker-engine.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something accepts connections on 127.0.0.1:<port>. */
function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs, logFile) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  const tail = logFile ? `; last log lines: ${tailOf(logFile)}` : '';
  throw new Error(
    `${what} did not become ready in ${timeoutMs / 1000}s${lastError ? ` (${lastError.message})` : ''}${tail}`,
  );
}

function tailOf(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

function startDetached(command, args, logFile, env = process.env) {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], env });
  child.unref();
  return child;
}

function stopProcess(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

async function startDocker(workDir) {
  const engine = await ensureDockerEngine({
    logDir: workDir,
    log: (line) => console.log(`services: ${line}`),
  });
  return { env: {}, stop: engine.stop ?? (async () => {}) };
}

/** A docker-registry with password auth, listening on `addr` (host:port), data under `dir`. */
async function serveRegistry(dir, addr, user, password) {
  mkdirSync(dir, { recursive: true });
  const htpasswd = execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  writeFileSync(
    join(dir, 'registry.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${addr}`,
      'auth:',
      '  htpasswd:',
      '    realm: tfod-test',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'registry.log');
  const child = startDetached('docker-registry', ['serve', join(dir, 'registry.yml')], logFile);
  await waitFor(
    `docker-registry on ${addr}`,
    async () => (await fetch(`http://${addr}/v2/`)).status === 401,
    30_000,
    logFile,
  );
  return child;
}

async function startRegistry(workDir) {
  const port = await freePort();
  const user = 'AWS';
  const password = randomBytes(12).toString('hex');
  const child = await serveRegistry(join(workDir, 'registry'), `127.0.0.1:${port}`, user, password);
  return {
    env: {
      TFOD_TEST_REGISTRY: `127.0.0.1:${port}`,
      TFOD_TEST_REGISTRY_USER: user,
      TFOD_TEST_REGISTRY_PASSWORD: password,
    },
    stop: () => stopProcess(child),
  };
}

// moto's ECR hands out a fixed token for its fixed account; this registry accepts exactly that
// token and answers for the ECR host name, so `docker push <account>.dkr.ecr.<region>...` reaches
// a real registry with the credentials the product got from ECR. The host resolves to 127.0.0.1
// through /etc/hosts, and Docker treats loopback registries as insecure: after HTTPS fails it uses plain HTTP, on port 80.
export const MOTO_ACCOUNT = '123456789012';
export const ECR_TEST_HOST = `${MOTO_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const HOSTS_MARK = '# tfod-test';

function removeHostsEntries() {
  const text = readFileSync('/etc/hosts', 'utf8');
  const kept = text
    .split('\n')
    .filter((line) => !line.endsWith(HOSTS_MARK))
    .join('\n');
  if (kept !== text) writeFileSync('/etc/hosts', kept);
}

async function startEcrRegistry(workDir) {
  if (process.getuid?.() !== 0)
    throw new Error('answering for the ECR host needs root (port 80 and /etc/hosts)');
  if (await portAnswers(80)) {
    throw new Error(
      '127.0.0.1:80 is already in use (another test run?); the ECR-host registry needs it',
    );
  }
  removeHostsEntries();
  writeFileSync(
    '/etc/hosts',
    `${readFileSync('/etc/hosts', 'utf8').replace(/\n?$/, '\n')}127.0.0.1 ${ECR_TEST_HOST} ${HOSTS_MARK}\n`,
  );
  const child = await serveRegistry(
    join(workDir, 'ecr-registry'),
    '127.0.0.1:80',
    'AWS',
    `${MOTO_ACCOUNT}-auth-token`,
  );
  return {
    env: { TFOD_TEST_ECR_HOST: ECR_TEST_HOST },
    stop: async () => {
      await stopProcess(child);
      removeHostsEntries();
    },
  };
}

/** The cache folder test/harness/setup.sh installs into. */
export function cacheDir() {
  return (
    process.env.TFOD_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfod-sagemaker')
  );
}

/** The Python with moto that setup.sh installs (python3 when it has not run). */
function testPython() {
  const venv = join(cacheDir(), 'python', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

async function startMoto(workDir) {
  const port = await freePort();
  const logFile = join(workDir, 'moto.log');
  const child = startDetached(
    testPython(),
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('moto server', async () => (await fetch(`${url}/moto-api/`)).ok, 60_000, logFile);
  return { env: { TFOD_TEST_MOTO_URL: url }, stop: () => stopProcess(child) };
}

/** Starts every integration service; never throws: failures become TFOD_TEST_*_ERROR. */
export async function startServices() {
  const workDir = mkdtempSync(join(tmpdir(), 'tfod-services-'));
  const env = { TFOD_TEST_SERVICES_DIR: workDir };
  const stops = [];
  const services = [
    ['DOCKER', startDocker],
    ['REGISTRY', startRegistry],
    ['ECR_REGISTRY', startEcrRegistry],
    ['MOTO', startMoto],
  ];
  await Promise.all(
    services.map(async ([name, start]) => {
      try {
        const started = await start(workDir);
        Object.assign(env, started.env);
        stops.push(started.stop);
        console.log(`services: ${name.toLowerCase()} ready`);
      } catch (error) {
        env[`TFOD_TEST_${name}_ERROR`] = error.message;
        console.error(`services: ${name.toLowerCase()} FAILED: ${error.message}`);
      }
    }),
  );
  return {
    env,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

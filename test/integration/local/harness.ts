import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DEFAULT_HYPERPARAMETERS } from '../../../src/core/training/hyperparameters';
import type { TrainingJobSpec } from '../../../src/core/jobs';
import { defaultLocalOutputPath, LABELS, workspaceHash } from '../../../src/core/local';
import { defaultTrainingFiles, testImageContext } from '../training/harness';

// What the local target's integration tests share: the test image (FROM scratch: this host's
// node, the bundled `train` and `serve`, the stand-in for the TF scripts), a workspace, the
// user's channel folders, and a spec for the local target.

/** Builds the test image under a CPU tag (the local target asks for a GPU only for GPU tags). */
export function buildTestImage(name: string): { image: string; remove: () => void } {
  const image = `${name}:cpu-${process.pid}`;
  const context = testImageContext();
  try {
    execFileSync('docker', ['build', '-q', '-t', image, context], { stdio: 'pipe' });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return {
    image,
    remove: () => {
      try {
        execFileSync('docker', ['rmi', '-f', image], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    },
  };
}

/** A workspace with the user's training and checkpoint folders, as a project lays them out. */
export function makeWorkspace(): { workspace: string; training: string; checkpoint: string } {
  const workspace = mkdtempSync(join(tmpdir(), 'tfod-local-ws-'));
  const training = join(workspace, 'data');
  for (const [file, content] of Object.entries(defaultTrainingFiles())) {
    mkdirSync(join(training, file, '..'), { recursive: true });
    writeFileSync(join(training, file), content);
  }
  const checkpoint = join(workspace, 'pretrained');
  const model = join(checkpoint, 'ssd_mobilenet_v2');
  mkdirSync(join(model, 'checkpoint'), { recursive: true });
  writeFileSync(join(model, 'checkpoint', 'ckpt-0.index'), 'index');
  writeFileSync(join(model, 'checkpoint', 'ckpt-0.data-00000-of-00001'), 'data');
  writeFileSync(join(model, 'pipeline.config'), 'model {}\n');
  return { workspace, training, checkpoint };
}

export function localSpec(
  workspace: { workspace: string; training: string; checkpoint: string },
  image: string,
  name: string,
  numSteps = 200,
): TrainingJobSpec {
  return {
    name,
    image,
    roleArn: '',
    instanceType: 'local',
    instanceCount: 1,
    volumeSizeGb: 30,
    maxRuntimeSeconds: 3600,
    outputPath: defaultLocalOutputPath(workspace.workspace),
    hyperparameters: { ...DEFAULT_HYPERPARAMETERS, numSteps },
    channels: { training: workspace.training, checkpoint: workspace.checkpoint },
  };
}

/** Removes every container the local target made for this workspace. */
export async function removeWorkspaceContainers(docker: Docker, workspace: string): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABELS.workspace}=${workspaceHash(workspace)}`] },
  });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

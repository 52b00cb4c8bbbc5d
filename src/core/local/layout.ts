import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainingJobSpec } from '../jobs/types';
import { toSageMakerHyperparameters } from '../training/hyperparameters';

/**
 * Where the local target keeps its state: a folder per training job under the workspace, laid out
 * like the /opt/ml tree SageMaker gives a training container, so the same image runs unchanged.
 *
 *   <workspace>/.tfod/jobs/<job>/
 *     job.json                      the request (what DescribeTrainingJob echoes back)
 *     status.json                   status, times, failure reason (written atomically)
 *     input/config/*.json           hyperparameters, inputdataconfig, resourceconfig
 *     input/data/{training,checkpoint}/   mount points; the user's folders are bound there read-only
 *     model/                        /opt/ml/model
 *     output/                       /opt/ml/output: failure, train.log, model.tar.gz, tensorboard/
 *     checkpoints/                  /opt/ml/checkpoints: the model_dir, kept (SageMaker's CheckpointConfig)
 *     hosts/algo-N/                 a job on several instances: the other hosts' own trees, as above
 *   <workspace>/.tfod/endpoints/<endpoint>/
 *     endpoint.json, model/         (model/ only when served from a model.tar.gz)
 */

export const STATE_FOLDER = '.tfod';
/** Where every path of the SageMaker training contract lives inside the container. */
export const OPT_ML = '/opt/ml';
/** SageMaker's name for the one host of a single-instance job, and the chief of several. */
export const TRAINING_HOST = 'algo-1';

/** SageMaker's host names for a job on `count` instances: algo-1 ... algo-N. */
export function trainingHosts(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => `algo-${i + 1}`);
}

/** Container labels: how jobs and endpoints are found again after a restart. */
export const LABELS = {
  job: 'org.tfod.job',
  endpoint: 'org.tfod.endpoint',
  workspace: 'org.tfod.workspace',
  /** The workspace folder itself, for people reading `docker ps`. */
  workspaceFolder: 'org.tfod.workspace.folder',
  /** The SageMaker host a training container plays (algo-2 ...); absent on algo-1. */
  host: 'org.tfod.host',
} as const;

/**
 * A short, stable id of the workspace folder: two workspaces can hold jobs of the same name
 * without finding each other's containers.
 */
export function workspaceHash(workspace: string): string {
  return createHash('sha256').update(resolve(workspace)).digest('hex').slice(0, 12);
}

export interface JobPaths {
  readonly root: string;
  readonly jobFile: string;
  readonly statusFile: string;
  readonly config: string;
  readonly hyperparameters: string;
  readonly inputDataConfig: string;
  readonly resourceConfig: string;
  readonly data: string;
  readonly model: string;
  readonly output: string;
  readonly failure: string;
  readonly log: string;
  readonly modelArchive: string;
  readonly checkpoints: string;
  channel(name: string): string;
}

export function jobsFolder(workspace: string): string {
  return join(resolve(workspace), STATE_FOLDER, 'jobs');
}

export function endpointsFolder(workspace: string): string {
  return join(resolve(workspace), STATE_FOLDER, 'endpoints');
}

/**
 * The default output path of local jobs. A job's model.tar.gz lands in
 * `<outputPath>/<job>/output/model.tar.gz`, as on S3; with this default that is the job's own
 * `output/` folder, so nothing is copied.
 */
export function defaultLocalOutputPath(workspace: string): string {
  return jobsFolder(workspace);
}

export function jobPaths(workspace: string, name: string): JobPaths {
  return pathsUnder(join(jobsFolder(workspace), name));
}

/**
 * The /opt/ml tree of one host of a job on several instances: algo-1's is the job folder itself,
 * every other host has its own under `hosts/<host>/` (its resourceconfig.json names it as the
 * current host; its model/ stays empty, the chief exports).
 */
export function hostPaths(paths: JobPaths, host: string): JobPaths {
  return host === TRAINING_HOST ? paths : pathsUnder(join(paths.root, 'hosts', host));
}

function pathsUnder(root: string): JobPaths {
  const config = join(root, 'input', 'config');
  const data = join(root, 'input', 'data');
  const output = join(root, 'output');
  return {
    root,
    jobFile: join(root, 'job.json'),
    statusFile: join(root, 'status.json'),
    config,
    hyperparameters: join(config, 'hyperparameters.json'),
    inputDataConfig: join(config, 'inputdataconfig.json'),
    resourceConfig: join(config, 'resourceconfig.json'),
    data,
    model: join(root, 'model'),
    output,
    failure: join(output, 'failure'),
    log: join(output, 'train.log'),
    modelArchive: join(output, 'model.tar.gz'),
    checkpoints: join(root, 'checkpoints'),
    channel: (channel) => join(data, channel),
  };
}

/** `file:///x` and `/x` both name the folder /x (the spec validator accepts either). */
export function localPath(path: string): string {
  return resolve(path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path);
}

/** The channels a spec binds into the container, by SageMaker channel name. */
export function specChannels(spec: TrainingJobSpec): Record<string, string> {
  return {
    training: localPath(spec.channels.training),
    ...(spec.channels.checkpoint ? { checkpoint: localPath(spec.channels.checkpoint) } : {}),
  };
}

/** SageMaker local mode's names for a machine without and with a GPU. */
export function localInstanceType(gpu: boolean): string {
  return gpu ? 'local_gpu' : 'local';
}

/** The three files SageMaker writes to /opt/ml/input/config, byte for byte what `train` reads. */
export function trainingConfigFiles(
  spec: TrainingJobSpec,
  instanceType: string,
  host = TRAINING_HOST,
  hosts: readonly string[] = [TRAINING_HOST],
): { hyperparameters: string; inputDataConfig: string; resourceConfig: string } {
  const channels = Object.keys(specChannels(spec));
  return {
    hyperparameters: JSON.stringify(toSageMakerHyperparameters(spec.hyperparameters)),
    inputDataConfig: JSON.stringify(
      Object.fromEntries(
        channels.map((name) => [
          name,
          {
            TrainingInputMode: 'File',
            S3DistributionType: 'FullyReplicated',
            RecordWrapperType: 'None',
          },
        ]),
      ),
    ),
    resourceConfig: JSON.stringify({
      current_host: host,
      current_instance_type: instanceType,
      current_group_name: 'homogeneousCluster',
      hosts,
      instance_groups: [
        {
          instance_group_name: 'homogeneousCluster',
          instance_type: instanceType,
          hosts,
        },
      ],
      network_interface_name: 'eth0',
    }),
  };
}

/**
 * Writes the job's tree (everything but job.json and status.json). The channel folders are
 * empty mount points: Docker binds the user's folders over them read-only.
 */
export async function layOutJobFolder(
  jobFolder: JobPaths,
  spec: TrainingJobSpec,
  instanceType: string,
  hosts: readonly string[] = [TRAINING_HOST],
): Promise<void> {
  for (const host of hosts) {
    const paths = hostPaths(jobFolder, host);
    const files = trainingConfigFiles(spec, instanceType, host, hosts);
    await mkdir(paths.config, { recursive: true });
    for (const name of Object.keys(specChannels(spec)))
      await mkdir(paths.channel(name), { recursive: true });
    await mkdir(paths.model, { recursive: true });
    await mkdir(paths.output, { recursive: true });
    await mkdir(paths.checkpoints, { recursive: true });
    await writeFile(paths.hyperparameters, files.hyperparameters);
    await writeFile(paths.inputDataConfig, files.inputDataConfig);
    await writeFile(paths.resourceConfig, files.resourceConfig);
  }
}

/** A bind mount as the Docker Engine API takes it (dockerode's MountSettings). */
export interface BindMount {
  readonly Type: 'bind';
  readonly Source: string;
  readonly Target: string;
  readonly ReadOnly: boolean;
}

/**
 * The training container's mounts: the config and the user's channels read-only, and writable
 * model, output and checkpoints folders, at the paths SageMaker uses. The checkpoints folder is
 * CheckpointConfig's LocalPath: `train` keeps its model_dir there, so the job folder holds the
 * checkpoints and a job run again in it resumes from the newest, as a restarted spot job does.
 */
export function trainingMounts(
  paths: JobPaths,
  channels: Readonly<Record<string, string>>,
): BindMount[] {
  const bind = (source: string, target: string, readOnly: boolean): BindMount => ({
    Type: 'bind',
    Source: source,
    Target: target,
    ReadOnly: readOnly,
  });
  return [
    bind(paths.config, `${OPT_ML}/input/config`, true),
    ...Object.entries(channels).map(([name, folder]) =>
      bind(folder, `${OPT_ML}/input/data/${name}`, true),
    ),
    bind(paths.model, `${OPT_ML}/model`, false),
    bind(paths.output, `${OPT_ML}/output`, false),
    bind(paths.checkpoints, `${OPT_ML}/checkpoints`, false),
  ];
}

let temporaryCounter = 0;

/**
 * Writes a file so that a reader sees either the old or the new content, never half of it (a
 * reader may be another window or the CLI): write beside it, then rename over it.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${++temporaryCounter}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

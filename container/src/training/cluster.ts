import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { TrainingPaths } from './environment';
import type { Replicas } from './commands';
import { TrainingFailure } from './failure';

/**
 * The hosts of a training job, from SageMaker's /opt/ml/input/config/resourceconfig.json
 * (`current_host`, `hosts`). With several hosts the Object Detection API's TF2 loop trains with
 * MultiWorkerMirroredStrategy, which finds the others through TF_CONFIG; the first host (algo-1)
 * is the chief: it writes the checkpoints, evaluates and exports, the others only train.
 */
export interface Cluster {
  /** Every host, in SageMaker's order (algo-1, algo-2, ..., algo-10). */
  readonly hosts: readonly string[];
  readonly currentHost: string;
  /** This host's place in `hosts`: TF_CONFIG's task index. */
  readonly index: number;
  readonly chief: boolean;
  /** TF_CONFIG for this host; absent on a single host. */
  readonly tfConfig?: string;
}

/** The port the workers' gRPC servers listen on (SageMaker's TensorFlow containers use 2222 too). */
export const WORKER_PORT = 2222;

const SINGLE: Cluster = { hosts: ['algo-1'], currentHost: 'algo-1', index: 0, chief: true };

/** algo-2 before algo-10: SageMaker numbers its hosts, and a plain sort would not. */
function byHostNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function readCluster(paths: TrainingPaths, port = WORKER_PORT): Cluster {
  // A developer's run of the image without the file trains on one host, as before.
  if (!existsSync(paths.resourceConfig)) return SINGLE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(paths.resourceConfig, 'utf8'));
  } catch (error) {
    throw new TrainingFailure(
      `${paths.resourceConfig} is not valid JSON (${(error as Error).message})`,
      [
        'SageMaker writes this file; when running the image yourself, write it as SageMaker does or leave it out.',
      ],
    );
  }
  const config = (parsed ?? {}) as { current_host?: unknown; hosts?: unknown };
  const hosts = Array.isArray(config.hosts)
    ? config.hosts.filter((host): host is string => typeof host === 'string' && host !== '')
    : [];
  const current = typeof config.current_host === 'string' ? config.current_host : '';
  if (hosts.length === 0 || !current) {
    throw new TrainingFailure(
      `${paths.resourceConfig} has no ${current ? 'hosts' : 'current_host'}`,
      [
        'SageMaker writes "current_host" and "hosts" (["algo-1", ...]); write both, or leave the file out for one host.',
      ],
    );
  }
  const sorted = [...new Set(hosts)].sort(byHostNumber);
  const index = sorted.indexOf(current);
  if (index < 0)
    throw new TrainingFailure(
      `${paths.resourceConfig}: current_host '${current}' is not one of its hosts (${sorted.join(', ')})`,
      ['Write the host this container runs as into "hosts" too.'],
    );
  if (sorted.length === 1) return { hosts: sorted, currentHost: current, index: 0, chief: true };
  const tfConfig = JSON.stringify({
    cluster: { worker: sorted.map((host) => `${host}:${port}`) },
    task: { type: 'worker', index },
  });
  return { hosts: sorted, currentHost: current, index, chief: index === 0, tfConfig };
}

/** The log line that says how this host takes part. */
export function describeCluster(cluster: Cluster): string {
  if (cluster.hosts.length === 1) return '[tfod] one host: training with every GPU it has';
  return `[tfod] host ${cluster.currentHost}, worker ${cluster.index + 1} of ${cluster.hosts.length} (${cluster.hosts.join(', ')}): MultiWorkerMirroredStrategy${cluster.chief ? ', the chief: it evaluates and exports' : '; the chief (' + cluster.hosts[0] + ') evaluates and exports'}`;
}

/**
 * Why this job cannot train on its hosts, or undefined. TF1's model_main.py has no multi-worker
 * strategy; the API's TF2 input pipeline gives each host whole TFRecord files (a host without one
 * would wait forever for data) and splits batch_size evenly between them.
 */
export function clusterProblem(
  cluster: Cluster,
  tfMajor: 1 | 2,
  trainFiles: number,
  batchSize: number | undefined,
  replicasPerHost: Replicas = { count: 1, onCpu: false },
): TrainingFailure | undefined {
  const hosts = cluster.hosts.length;
  // One replica per GPU (TF2's MirroredStrategy, TF1's legacy trainer's clones), or one on the CPU.
  const perHost = Math.max(1, replicasPerHost.count);
  const replicas = hosts * perHost;
  if (hosts === 1) {
    if (replicas === 1 || batchSize === undefined || batchSize % replicas === 0) return undefined;
    const devices = replicasPerHost.onCpu ? `${perHost} CPU replicas` : `${perHost} GPUs`;
    return new TrainingFailure(
      `train_config.batch_size ${batchSize} cannot be split evenly between this instance's ${devices}: each takes an equal share of the batch in every step`,
      [
        replicasPerHost.onCpu
          ? `Set batch_size to a multiple of ${perHost}, or set ${CPU_REPLICAS_ENV} to a number that divides it.`
          : `Set batch_size to a multiple of ${perHost}, or pick an instance type whose GPU count divides it.`,
      ],
    );
  }
  if (tfMajor === 1)
    return new TrainingFailure(
      `This TF1 image trains on one host, and the job has ${hosts}: the Object Detection API's TF1 model_main.py has no multi-worker training`,
      [
        'Set the instance count to 1, or train with a TF2 image (2.9.1, 2.9.1-gpu), which trains across hosts.',
      ],
    );
  if (trainFiles < hosts)
    return new TrainingFailure(
      `The training channel has ${trainFiles} TFRecord file(s) and the job ${hosts} hosts: the Object Detection API gives each host whole files, so ${cluster.hosts.slice(trainFiles).join(', ')} would have no data`,
      [
        `Write the training records as at least ${hosts} shards (tfod data convert --shards ${hosts}, names like train.record-00000-of-0000${hosts}),`,
        'or lower the instance count.',
      ],
    );
  if (batchSize !== undefined && batchSize % replicas !== 0) {
    const split =
      perHost > 1 ? `${replicas} replicas (${hosts} hosts x ${perHost} GPUs)` : `${hosts} hosts`;
    return new TrainingFailure(
      `train_config.batch_size ${batchSize} cannot be split evenly between ${split}: each takes an equal share of the batch in every step`,
      [
        `Set batch_size to a multiple of ${replicas} (the batch of all of them together), or change the instance count.`,
      ],
    );
  }
  return undefined;
}

/** How many replicas a host without a GPU trains on (default 1). */
export const CPU_REPLICAS_ENV = 'TFOD_CPU_REPLICAS';
const MAX_CPU_REPLICAS = 16;

/**
 * The replicas this host trains on: one per GPU; without a GPU one, or TFOD_CPU_REPLICAS logical
 * devices on the CPU, which run the multi-GPU path (TF2's MirroredStrategy, TF1's legacy
 * trainer's clones) where there is no GPU. Only for a job on one host.
 */
export function hostReplicas(
  gpus: number,
  cpuSetting: string | undefined,
  hosts: number,
): Replicas | TrainingFailure {
  if (gpus > 0) return { count: gpus, onCpu: false };
  const text = cpuSetting?.trim() ?? '';
  if (text === '') return { count: 1, onCpu: true };
  const count = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(count >= 1 && count <= MAX_CPU_REPLICAS))
    return new TrainingFailure(
      `${CPU_REPLICAS_ENV} is '${text}', not a whole number from 1 to ${MAX_CPU_REPLICAS}`,
      [
        `Set ${CPU_REPLICAS_ENV} to the number of replicas to train on the CPU, or leave it out for one.`,
      ],
    );
  if (count > 1 && hosts > 1)
    return new TrainingFailure(
      `${CPU_REPLICAS_ENV}=${count} is for a job on one host, and this job has ${hosts}`,
      [`Leave ${CPU_REPLICAS_ENV} out, or set the instance count to 1.`],
    );
  return { count, onCpu: true };
}

/** The GPUs this host has, as nvidia-smi lists them (0 without the driver or a GPU). */
export function countGpus(run: () => string | undefined = listGpus): number {
  const listing = run() ?? '';
  return listing.split('\n').filter((line) => /^GPU \d+:/.test(line.trim())).length;
}

function listGpus(): string | undefined {
  const result = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout : undefined;
}

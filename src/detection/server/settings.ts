import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SAGEMAKER_MODEL_DIR } from '../modelFolder';
import { nativeBindingInstalled } from '../runtime';
import { DEFAULT_TIMEOUT_SECONDS } from './app';

/** How the serving process runs, from SageMaker's environment and the command line. */
export interface ServingSettings {
  readonly modelDir: string;
  readonly port: number;
  readonly host: string;
  /** Inference worker processes, each with its own copy of the model. */
  readonly workers: number;
  readonly timeoutMs: number;
  /** GPU ids the workers are spread over (one each, in turn); empty without a GPU to run on. */
  readonly gpus: readonly string[];
}

export interface ServingOverrides {
  readonly modelDir?: string;
  readonly port?: string;
  readonly host?: string;
  readonly workers?: string;
  readonly timeout?: string;
}

/** What the machine has, for the default number of workers; tests pass their own. */
export interface ServingHost {
  readonly cpus: number;
  /** GPU ids TensorFlow could use here. */
  readonly gpus: readonly string[];
}

/** The port SageMaker expects when it does not say otherwise. */
export const DEFAULT_PORT = 8080;

/**
 * Reads the hosting contract's settings: model folder from the command line, `SM_MODEL_DIR` or
 * `/opt/ml/model`; port from `SAGEMAKER_BIND_TO_PORT` or 8080; `MODEL_SERVER_WORKERS` and
 * `MODEL_SERVER_TIMEOUT` (seconds per request, default 60). Workers default to one per GPU on a
 * GPU host (each GPU runs one model at a time; more workers would only queue on it and hold more
 * GPU memory) and to one per CPU otherwise, unless `defaults.workers` says otherwise.
 * Command-line values win over the environment. Throws an Error naming the bad setting.
 */
export function servingSettings(
  env: NodeJS.ProcessEnv,
  overrides: ServingOverrides = {},
  defaults: { readonly workers?: number; readonly host?: string } = {},
  machine: ServingHost = servingHost(env),
): ServingSettings {
  const modelDir = overrides.modelDir ?? nonEmpty(env.SM_MODEL_DIR) ?? SAGEMAKER_MODEL_DIR;
  const port = integer(
    overrides.port ?? nonEmpty(env.SAGEMAKER_BIND_TO_PORT),
    overrides.port !== undefined ? '--port' : 'SAGEMAKER_BIND_TO_PORT',
    DEFAULT_PORT,
    0,
    65535,
  );
  const workers = integer(
    overrides.workers ?? nonEmpty(env.MODEL_SERVER_WORKERS),
    overrides.workers !== undefined ? '--workers' : 'MODEL_SERVER_WORKERS',
    defaults.workers ?? (machine.gpus.length > 0 ? machine.gpus.length : Math.max(1, machine.cpus)),
    1,
    256,
  );
  const timeoutSeconds = number(
    overrides.timeout ?? nonEmpty(env.MODEL_SERVER_TIMEOUT),
    overrides.timeout !== undefined ? '--timeout' : 'MODEL_SERVER_TIMEOUT',
    DEFAULT_TIMEOUT_SECONDS,
  );
  return {
    modelDir,
    port,
    host: overrides.host ?? defaults.host ?? '0.0.0.0',
    workers,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    gpus: machine.gpus,
  };
}

/**
 * This machine's CPUs and the GPUs the serving image would run on: those CUDA_VISIBLE_DEVICES
 * names, else those the NVIDIA driver lists (/proc/driver/nvidia/gpus, which the NVIDIA container
 * runtime narrows to the container's); none unless the GPU build of the native binding
 * (@tensorflow/tfjs-node-gpu) is installed, the only thing here that would use them.
 */
export function servingHost(env: NodeJS.ProcessEnv): ServingHost {
  const cpus = availableParallelism();
  if (!nativeBindingInstalled('@tensorflow/tfjs-node-gpu')) return { cpus, gpus: [] };
  return { cpus, gpus: visibleGpus(env, listDir) };
}

/** GPU ids from CUDA_VISIBLE_DEVICES when set (CUDA stops at the first invalid one), else the driver's. */
export function visibleGpus(
  env: NodeJS.ProcessEnv,
  list: (dir: string) => readonly string[],
): string[] {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    const ids: string[] = [];
    for (const id of visible.split(',').map((s) => s.trim())) {
      if (!id || id.startsWith('-')) break;
      ids.push(id);
    }
    return ids;
  }
  return list('/proc/driver/nvidia/gpus').map((_, i) => String(i));
}

function listDir(dir: string): readonly string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new Error(`${name}=${value} must be a whole number from ${min} to ${max}`);
  return parsed;
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`${name}=${value} must be a number of seconds greater than 0`);
  return parsed;
}

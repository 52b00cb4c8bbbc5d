import { availableParallelism } from 'node:os';
import { SAGEMAKER_MODEL_DIR } from '../modelFolder';
import { DEFAULT_TIMEOUT_SECONDS } from './app';

/** How the serving process runs, from SageMaker's environment and the command line. */
export interface ServingSettings {
  readonly modelDir: string;
  readonly port: number;
  readonly host: string;
  /** Worker processes (node:cluster); 1 serves from this process. */
  readonly workers: number;
  readonly timeoutMs: number;
}

export interface ServingOverrides {
  readonly modelDir?: string;
  readonly port?: string;
  readonly host?: string;
  readonly workers?: string;
  readonly timeout?: string;
}

/** The port SageMaker expects when it does not say otherwise. */
export const DEFAULT_PORT = 8080;

/**
 * Reads the hosting contract's settings: model folder from the command line, `SM_MODEL_DIR` or
 * `/opt/ml/model`; port from `SAGEMAKER_BIND_TO_PORT` or 8080; `MODEL_SERVER_WORKERS` (default:
 * one per CPU, as the seed's gunicorn setup did; each worker holds its own copy of the model) and
 * `MODEL_SERVER_TIMEOUT` (seconds per request, default 60). Command-line values win over the
 * environment. Throws an Error naming the bad setting.
 */
export function servingSettings(
  env: NodeJS.ProcessEnv,
  overrides: ServingOverrides = {},
  defaults: { readonly workers?: number; readonly host?: string } = {},
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
    defaults.workers ?? Math.max(1, availableParallelism()),
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
  };
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

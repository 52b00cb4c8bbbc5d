import * as vscode from 'vscode';
import type { JobProfile } from '../../core/jobs/profile';
import type { TfodContext } from '../context';

/**
 * The last answers of the guided flows, per workspace (workspaceState), so the next run offers
 * them as defaults. Never a credential: ECR tokens and AWS keys are not answers.
 */
export interface Remembered {
  readonly 'job.last': JobProfile & { readonly hours?: number };
  readonly 'image.last': {
    readonly architecture: string;
    readonly repository: string;
    readonly tag: string;
    readonly uri?: string;
  };
  /** Build Training Image: the image last built on this machine's Docker engine. */
  readonly 'image.built': { readonly architecture: string; readonly image: string };
  readonly 'data.last': {
    readonly folder: string;
    readonly prefix: string;
    readonly training?: string;
    readonly checkpoint?: string;
  };
  readonly 'endpoint.last': {
    readonly instanceType: string;
    readonly instanceCount: number;
    readonly mode?: 'fixed' | 'autoscaling' | 'serverless';
    readonly maxInstances?: number;
    readonly memoryMb?: number;
    readonly maxConcurrency?: number;
  };
  /** Serve Locally: the image last served with on this machine's Docker engine. */
  readonly 'serve.last': { readonly image: string };
}

export function recall<K extends keyof Remembered>(
  ctx: TfodContext,
  key: K,
): Partial<Remembered[K]> {
  return ctx.extension.workspaceState.get<Partial<Remembered[K]>>(`tfod.${key}`) ?? {};
}

export async function remember<K extends keyof Remembered>(
  ctx: TfodContext,
  key: K,
  value: Remembered[K],
): Promise<void> {
  await ctx.extension.workspaceState.update(`tfod.${key}`, value);
}

/** A `tfod.<section>.<name>` setting, or undefined when empty. */
export function setting(key: string): string | undefined {
  const value = vscode.workspace.getConfiguration('tfod').get<string>(key);
  return value?.trim() ? value.trim() : undefined;
}

/**
 * The training image's ARCHITECTURE where known: the validation setting, else the image last
 * built and pushed from this workspace.
 */
export function knownArchitecture(ctx: TfodContext): string | undefined {
  return setting('validation.architecture') ?? recall(ctx, 'image.last').architecture;
}

import * as vscode from 'vscode';
import type { TargetKind } from '../core/target';
import { affectsTfod, getTarget } from './config';
import type { TfodContext } from './context';

/**
 * The context keys package.json's `when` clauses read, so menus, palette entries and welcome
 * content fit the target and what is ready. Before activation every key is unset: entries only
 * for SageMaker say `tfod:target != local` and those only for Docker `tfod:target != sagemaker`,
 * so everything shows until the extension knows better.
 */
export interface ContextKeys {
  /** The selected target (`tfod.target`). */
  readonly 'tfod:target': TargetKind;
  /** Docker on this machine, from the local target's last listing. */
  readonly 'tfod:docker': 'running' | 'notRunning' | undefined;
  /** The AWS credentials, from the status bar's STS check (sagemaker target only). */
  readonly 'tfod:aws': 'ready' | 'notReady' | undefined;
}

const current = new Map<string, unknown>();

export function setContextKey<K extends keyof ContextKeys>(key: K, value: ContextKeys[K]): void {
  if (current.has(key) && current.get(key) === value) return;
  current.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value);
}

/** Keeps `tfod:target` equal to the setting. */
export function registerTargetContextKey(ctx: TfodContext): void {
  setContextKey('tfod:target', getTarget());
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.target')) setContextKey('tfod:target', getTarget());
    }),
  );
}

import * as vscode from 'vscode';
import { TFOD_VERSION } from '../core/version';
import { registerCommands } from './commands';
import type { TfodContext } from './context';
import { createLog } from './log';
import { registerAwsStatus } from './statusBar/awsStatus';
import { registerTargetStatus } from './statusBar/targetStatus';
import { registerJobsView } from './views/jobsView';

export function activate(extension: vscode.ExtensionContext): void {
  const log = createLog();
  extension.subscriptions.push(log);
  try {
    const ctx: TfodContext = { extension, log };
    registerCommands(ctx);
    registerJobsView(ctx);
    registerTargetStatus(ctx);
    registerAwsStatus(ctx);
    log.info(`tfod-sagemaker ${TFOD_VERSION} activated`);
  } catch (error) {
    log.error('activation failed', error);
    void vscode.window.showErrorMessage(
      `Object Detection failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw error;
  }
}

export function deactivate(): void {
  // Everything is disposed through extension.subscriptions.
}

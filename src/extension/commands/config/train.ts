import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import { startJob } from '../job/start';
import { currentConfig } from './validate';

/**
 * tfod.config.train, "Train with this Config" (a config's editor title and CodeLens): Start
 * Training Job with the config's folder proposed as the training channel, skipping the saved
 * profile's choice. With no config given: the active editor's, else the workspace's.
 */
export async function trainWithConfig(
  ctx: TfodContext,
  resource?: unknown,
): Promise<string | undefined> {
  const config =
    resource instanceof vscode.Uri
      ? resource
      : await currentConfig(vscode.l10n.t('Train with this Config'));
  ctx.log.info(`training with ${config.fsPath}`);
  return startJob(ctx, config);
}

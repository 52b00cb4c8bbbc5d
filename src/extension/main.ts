import * as vscode from 'vscode';
import { TFOD_VERSION } from '../core/version';
import { registerCommands } from './commands';
import { registerConfigLens } from './configLens';
import type { TfodContext } from './context';
import { registerTargetContextKey } from './contextKeys';
import { startLanguageClientOnDemand, stopLanguageClient } from './languageClient';
import { registerConfigLanguageSwitch } from './languages';
import { useTranslator } from './l10n';
import { createLog } from './log';
import { registerEvaluationPanel } from './evaluation/reportPanel';
import { registerMetricsPanel } from './metrics/metricsPanel';
import { registerPreviewPanel } from './preview/previewPanel';
import { registerRecordsEditor } from './records/recordsEditor';
import { registerAwsStatus } from './statusBar/awsStatus';
import { registerTargetStatus } from './statusBar/targetStatus';
import { registerTaskProvider } from './tasks';
import { registerJobsView } from './views/jobsView';

export function activate(extension: vscode.ExtensionContext): void {
  // The flows' modules, free of 'vscode', translate through ./l10n with VS Code's bundle (their
  // messages are literals in their own l10n.t calls, which scripts/l10n.mjs exports).
  useTranslator((message, ...args) => {
    const bundle = vscode.l10n;
    return bundle.t(message, ...args);
  });
  const log = createLog();
  extension.subscriptions.push(log);
  try {
    const ctx: TfodContext = { extension, log };
    registerTargetContextKey(ctx);
    registerCommands(ctx);
    registerJobsView(ctx);
    registerMetricsPanel(ctx);
    registerEvaluationPanel(ctx);
    registerPreviewPanel(ctx);
    registerRecordsEditor(ctx);
    registerTargetStatus(ctx);
    registerAwsStatus(ctx);
    registerConfigLanguageSwitch(extension);
    registerTaskProvider(ctx);
    registerConfigLens(ctx);
    startLanguageClientOnDemand(extension, log, (error: unknown) => {
      log.error('the language server failed to start', error);
      void vscode.window
        .showErrorMessage(
          vscode.l10n.t(
            'Object Detection: configs and label maps are not validated because the language server failed to start ({0}).',
            error instanceof Error ? error.message : String(error),
          ),
          vscode.l10n.t('Open Log'),
        )
        .then((choice) => choice && log.show());
    });
    log.info(`tfod-sagemaker ${TFOD_VERSION} activated`);
  } catch (error) {
    log.error('activation failed', error);
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'Object Detection failed to start: {0}',
        error instanceof Error ? error.message : String(error),
      ),
    );
    throw error;
  }
}

export function deactivate(): Promise<void> {
  // Everything else is disposed through extension.subscriptions; the language client has its own
  // lifetime and stops with the server's shutdown handshake.
  return stopLanguageClient();
}

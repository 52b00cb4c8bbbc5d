import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { assertValidTrainingJobSpec, type TrainingJobSpec } from '../../../core/jobs';
import { checkTrainingData, type TrainingDataCheck } from '../../../core/jobs/trainingData';
import { createS3Client } from '../../../core/s3/client';
import type { TargetKind } from '../../../core/target';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { withCancellableProgress } from '../registerCommand';

/**
 * The training channel's pipeline config and label map, checked as `tfod train` checks them
 * before a job starts. False when the job is refused (the errors are shown, with the file to open
 * at the first one); what could not be checked is said without stopping the job.
 */
export async function checkJobTrainingData(
  ctx: TfodContext,
  kind: TargetKind,
  spec: TrainingJobSpec,
): Promise<boolean> {
  assertValidTrainingJobSpec(spec, { target: kind });
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const check = await withCancellableProgress(
    vscode.l10n.t('Checking the training data of {0}', spec.name),
    async (_progress, signal) => {
      if (kind === 'local') return checkTrainingData(spec, { target: kind, base, signal });
      const session = getAwsSessionOptions();
      const s3 = createS3Client(session);
      try {
        return await checkTrainingData(spec, { target: kind, s3, session, signal });
      } finally {
        s3.destroy();
      }
    },
  );
  for (const warning of check.warnings) {
    ctx.log.warn(`training job ${spec.name}: ${warning}`);
    void vscode.window.showWarningMessage(
      vscode.l10n.t("Training job '{0}': {1}.", spec.name, warning.replace(/\.$/, '')),
    );
  }
  if (check.problems.length === 0) return true;
  await refuse(ctx, kind, spec, check, base);
  return false;
}

async function refuse(
  ctx: TfodContext,
  kind: TargetKind,
  spec: TrainingJobSpec,
  check: TrainingDataCheck,
  base: string | undefined,
): Promise<void> {
  for (const problem of check.problems)
    ctx.log.warn(`training job ${spec.name} not started: ${problem.message} (${problem.fix})`);
  const first = check.problems[0]?.at;
  const open =
    first && kind === 'local'
      ? vscode.l10n.t('Open {0}', first.file.split(/[\\/]/).pop() ?? first.file)
      : undefined;
  const openLog = vscode.l10n.t('Open Log');
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t(
      "Training job '{0}' was not started: its training data has errors the job would fail on.",
      spec.name,
    ),
    {
      modal: true,
      detail: check.problems.map((p) => `• ${p.message}\n   ${p.fix}`).join('\n'),
    },
    ...(open ? [open] : []),
    openLog,
  );
  if (choice === openLog) ctx.log.show();
  if (choice === open && first) {
    const path = isAbsolute(first.file) || !base ? first.file : resolve(base, first.file);
    const at = new vscode.Position(first.line - 1, first.column - 1);
    await vscode.window.showTextDocument(vscode.Uri.file(path), {
      selection: new vscode.Range(at, at),
    });
  }
}

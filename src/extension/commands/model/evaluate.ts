import { rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { buildReport, evaluateRecords } from '../../../core/evaluation';
import { isModelArchive, unpackModelArchive } from '../../../core/local/modelArchive';
import { labelMapNames } from '../../../core/preview/sources';
import { DEFAULT_SCORE_THRESHOLD, loadDetector, ModelFolderError } from '../../../detection';
import type { TfodContext } from '../../context';
import { showEvaluationReport } from '../../evaluation/reportPanel';
import { isJobsNode } from '../../views/nodes';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.model.evaluate: a model (a local job's or model's node, or one picked) run in the extension
 * over validation TFRecords the user picks; the COCO metrics open in a report panel.
 */
export async function evaluateModel(ctx: TfodContext, arg?: unknown): Promise<void> {
  const model = modelFromNode(arg) ?? (await pickModel());
  if (!model) return;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    title: 'Validation TFRecords (tf.Example records with the Object Detection API keys)',
    openLabel: 'Evaluate',
  });
  if (!picked?.length) return;
  const files = picked.map((uri) => uri.fsPath);
  const threshold = DEFAULT_SCORE_THRESHOLD;
  const report = await withCancellableProgress(`Evaluating ${model}`, async (progress, signal) => {
    const unpacked = isModelArchive(model) ? await unpackModelArchive(model) : undefined;
    try {
      const detector = await loadDetector(unpacked?.dir ?? model).catch((error: unknown) => {
        if (error instanceof ModelFolderError) throw new UserError(error.message, error.fix);
        throw error;
      });
      try {
        const labelMap = detector.folder.labelMapPath;
        const names = labelMap ? await labelMapNames(labelMap) : undefined;
        let reported = 0;
        const evaluation = await evaluateRecords({
          files,
          detect: (image, s) => detector.detect(image, { threshold: 0, signal: s }),
          ...(names ? { categoryIds: names.keys() } : {}),
          threshold,
          signal,
          onProgress: (done, total) => {
            const percent = (100 * done) / Math.max(total, 1);
            progress.report({
              message: `${done} of ${total} images`,
              increment: percent - reported,
            });
            reported = percent;
          },
          onProblem: (message) => ctx.log.warn(`evaluation: ${message}`),
        });
        if (evaluation.skipped > 0)
          void vscode.window.showWarningMessage(
            `${evaluation.skipped} records could not be used and are left out of the metrics (see the log).`,
          );
        return buildReport(evaluation, { model, records: files, threshold, names });
      } finally {
        detector.dispose();
      }
    } finally {
      if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
    }
  });
  ctx.log.info(`evaluated ${model} on ${report.images} images: AP ${report.summary.AP.toFixed(3)}`);
  showEvaluationReport(ctx, report);
}

/** A local job's or model's model on this machine; one in S3 cannot run here. */
function modelFromNode(arg: unknown): string | undefined {
  if (!isJobsNode(arg)) return undefined;
  const uri =
    arg.type === 'model'
      ? arg.uri
      : arg.type === 'job'
        ? arg.entry.details?.modelArtifacts
        : undefined;
  if (!uri) return undefined;
  if (uri.startsWith('s3://'))
    throw new UserError(
      `the model ${uri} is in S3, and evaluation runs models on this machine`,
      'Download the model.tar.gz and evaluate it from the palette',
    );
  return uri.startsWith('file://') ? vscode.Uri.parse(uri).fsPath : uri;
}

async function pickModel(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    title: 'Model folder (model.json) or model.tar.gz to evaluate',
  });
  return picked?.[0]?.fsPath;
}

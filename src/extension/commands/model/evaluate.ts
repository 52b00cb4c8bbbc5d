import * as vscode from 'vscode';
import {
  buildReport,
  evaluateRecords,
  type EvaluateRecordsOptions,
} from '../../../core/evaluation';
import { labelMapNames, sagemakerSource, urlSource } from '../../../core/preview/sources';
import { DEFAULT_SCORE_THRESHOLD } from '../../../detection';
import type { TfodContext } from '../../context';
import { showEvaluationReport } from '../../evaluation/reportPanel';
import { targets } from '../../targets';
import {
  evaluatedModelLabel,
  evaluatedModelOf,
  type EvaluatedModel,
} from '../../evaluation/evaluatedModel';
import { cachedS3Model } from '../../s3/modelDownload';
import { withCancellableProgress } from '../registerCommand';
import { loadLocalModel } from './localModel';

/** Images in flight at once through an endpoint (the in-process model runs one at a time). */
const ENDPOINT_CONCURRENCY = 4;

/**
 * tfod.model.evaluate: a model (a job's or model's node, or one picked) run in the extension, or
 * an endpoint's node asked, over validation TFRecords the user picks; the COCO metrics open in a
 * report panel. A SageMaker job's model is downloaded from S3 once (global storage) first.
 */
export async function evaluateModel(ctx: TfodContext, arg?: unknown): Promise<void> {
  const evaluated = evaluatedModelOf(arg) ?? (await pickModel());
  if (!evaluated) return;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    title: vscode.l10n.t(
      'Validation TFRecords (tf.Example records with the Object Detection API keys)',
    ),
    openLabel: vscode.l10n.t('Evaluate'),
  });
  if (!picked?.length) return;
  const files = picked.map((uri) => uri.fsPath);
  const threshold = DEFAULT_SCORE_THRESHOLD;
  const label = evaluatedModelLabel(evaluated);
  const report = await withCancellableProgress(
    vscode.l10n.t('Evaluating {0}', label),
    async (progress, signal) => {
      // A SageMaker job's model.tar.gz, downloaded once, then evaluated like a local model.
      const local: Exclude<EvaluatedModel, { kind: 's3' }> =
        evaluated.kind === 's3'
          ? { kind: 'model', path: await cachedS3Model(ctx, evaluated.uri, signal, progress) }
          : evaluated;
      const runner = await openRunner(ctx, local);
      try {
        let reported = 0;
        const evaluation = await evaluateRecords({
          files,
          detect: runner.detect,
          concurrency: local.kind === 'model' ? 1 : ENDPOINT_CONCURRENCY,
          ...(runner.names ? { categoryIds: runner.names.keys() } : {}),
          threshold,
          signal,
          onProgress: (done, total) => {
            const percent = (100 * done) / Math.max(total, 1);
            progress.report({
              message: vscode.l10n.t('{0} of {1} images', done, total),
              increment: percent - reported,
            });
            reported = percent;
          },
          onProblem: (message) => ctx.log.warn(`evaluation: ${message}`),
        });
        if (evaluation.skipped > 0)
          void vscode.window.showWarningMessage(
            vscode.l10n.t(
              '{0} records could not be used and are left out of the metrics (see the log).',
              evaluation.skipped,
            ),
          );
        return buildReport(evaluation, {
          model: label,
          records: files,
          threshold,
          names: runner.names,
        });
      } finally {
        runner.close();
      }
    },
  );
  ctx.log.info(`evaluated ${label} on ${report.images} images: AP ${report.summary.AP.toFixed(3)}`);
  showEvaluationReport(ctx, report);
}

interface Runner {
  readonly detect: EvaluateRecordsOptions['detect'];
  readonly names: ReadonlyMap<number, string> | undefined;
  readonly close: () => void;
}

async function openRunner(
  ctx: TfodContext,
  evaluated: Exclude<EvaluatedModel, { kind: 's3' }>,
): Promise<Runner> {
  if (evaluated.kind === 'url' || evaluated.kind === 'sagemaker') {
    // Every detection (threshold 0): AP needs the weak ones.
    const source =
      evaluated.kind === 'url'
        ? urlSource(evaluated.url, undefined, 0)
        : sagemakerSource(targets(ctx).require('sagemaker'), evaluated.endpoint, 0);
    const labelMap = (
      await vscode.workspace.findFiles('**/label_map.pbtxt', '**/node_modules/**', 1)
    )[0];
    return {
      detect: async (image, signal, encoded) => (await source(encoded, image, signal)).predictions,
      names: labelMap ? await labelMapNames(labelMap.fsPath) : undefined,
      close: () => undefined,
    };
  }
  const { detector, names, close } = await loadLocalModel(evaluated.path);
  return {
    detect: (image, signal) => detector.detect(image, { threshold: 0, signal }),
    names,
    close,
  };
}

async function pickModel(): Promise<EvaluatedModel | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    title: vscode.l10n.t('Model folder (model.json) or model.tar.gz to evaluate'),
  });
  return picked?.[0] ? { kind: 'model', path: picked[0].fsPath } : undefined;
}

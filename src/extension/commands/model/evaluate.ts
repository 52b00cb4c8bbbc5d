import { rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import {
  buildReport,
  evaluateRecords,
  type EvaluateRecordsOptions,
} from '../../../core/evaluation';
import { isModelArchive, unpackModelArchive } from '../../../core/local/modelArchive';
import { labelMapNames, sagemakerSource, urlSource } from '../../../core/preview/sources';
import { DEFAULT_SCORE_THRESHOLD, loadDetector, ModelFolderError } from '../../../detection';
import type { TfodContext } from '../../context';
import { showEvaluationReport } from '../../evaluation/reportPanel';
import { targets } from '../../targets';
import { isJobsNode } from '../../views/nodes';
import { withCancellableProgress } from '../registerCommand';

/** What is evaluated: a model on this machine, or an endpoint. */
type Evaluated =
  | { readonly kind: 'model'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'sagemaker'; readonly endpoint: string };

/** Images in flight at once through an endpoint (the in-process model runs one at a time). */
const ENDPOINT_CONCURRENCY = 4;

/**
 * tfod.model.evaluate: a model (a local job's or model's node, or one picked) run in the
 * extension, or an endpoint's node asked, over validation TFRecords the user picks; the COCO
 * metrics open in a report panel.
 */
export async function evaluateModel(ctx: TfodContext, arg?: unknown): Promise<void> {
  const evaluated = fromNode(arg) ?? (await pickModel());
  if (!evaluated) return;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    title: 'Validation TFRecords (tf.Example records with the Object Detection API keys)',
    openLabel: 'Evaluate',
  });
  if (!picked?.length) return;
  const files = picked.map((uri) => uri.fsPath);
  const threshold = DEFAULT_SCORE_THRESHOLD;
  const label =
    evaluated.kind === 'model'
      ? evaluated.path
      : evaluated.kind === 'url'
        ? evaluated.url
        : evaluated.endpoint;
  const report = await withCancellableProgress(`Evaluating ${label}`, async (progress, signal) => {
    const runner = await openRunner(ctx, evaluated);
    try {
      let reported = 0;
      const evaluation = await evaluateRecords({
        files,
        detect: runner.detect,
        concurrency: evaluated.kind === 'model' ? 1 : ENDPOINT_CONCURRENCY,
        ...(runner.names ? { categoryIds: runner.names.keys() } : {}),
        threshold,
        signal,
        onProgress: (done, total) => {
          const percent = (100 * done) / Math.max(total, 1);
          progress.report({ message: `${done} of ${total} images`, increment: percent - reported });
          reported = percent;
        },
        onProblem: (message) => ctx.log.warn(`evaluation: ${message}`),
      });
      if (evaluation.skipped > 0)
        void vscode.window.showWarningMessage(
          `${evaluation.skipped} records could not be used and are left out of the metrics (see the log).`,
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
  });
  ctx.log.info(`evaluated ${label} on ${report.images} images: AP ${report.summary.AP.toFixed(3)}`);
  showEvaluationReport(ctx, report);
}

interface Runner {
  readonly detect: EvaluateRecordsOptions['detect'];
  readonly names: ReadonlyMap<number, string> | undefined;
  readonly close: () => void;
}

async function openRunner(ctx: TfodContext, evaluated: Evaluated): Promise<Runner> {
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
  const model = evaluated.path;
  const unpacked = isModelArchive(model) ? await unpackModelArchive(model) : undefined;
  const remove = () => {
    if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
  };
  try {
    const detector = await loadDetector(unpacked?.dir ?? model).catch((error: unknown) => {
      if (error instanceof ModelFolderError) throw new UserError(error.message, error.fix);
      throw error;
    });
    const labelMap = detector.folder.labelMapPath;
    return {
      detect: (image, signal) => detector.detect(image, { threshold: 0, signal }),
      names: labelMap ? await labelMapNames(labelMap).catch(() => undefined) : undefined,
      close: () => {
        try {
          detector.dispose();
        } finally {
          remove();
        }
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

/** A local job's or model's model on this machine, or an endpoint; a model in S3 cannot run here. */
function fromNode(arg: unknown): Evaluated | undefined {
  if (!isJobsNode(arg)) return undefined;
  if (arg.type === 'endpoint') {
    if (arg.kind === 'sagemaker') return { kind: 'sagemaker', endpoint: arg.endpoint.name };
    if (!arg.endpoint.url)
      throw new UserError(
        `local endpoint ${arg.endpoint.name} has no URL (it is ${arg.endpoint.status})`,
        'Serve the model locally again, then evaluate the endpoint',
      );
    return { kind: 'url', url: arg.endpoint.url };
  }
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
      'Deploy it and evaluate the endpoint, or download the model.tar.gz and evaluate it from the palette',
    );
  return { kind: 'model', path: uri.startsWith('file://') ? vscode.Uri.parse(uri).fsPath : uri };
}

async function pickModel(): Promise<Evaluated | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    title: 'Model folder (model.json) or model.tar.gz to evaluate',
  });
  return picked?.[0] ? { kind: 'model', path: picked[0].fsPath } : undefined;
}

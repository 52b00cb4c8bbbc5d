import * as vscode from 'vscode';
import { runLocalBatch } from '../../../core/batch';
import { CancelledError } from '../../../core/errors';
import { DEFAULT_SCORE_THRESHOLD } from '../../../detection';
import { batchModelOf, type BatchModel } from '../../batch/batchModel';
import type { TfodContext } from '../../context';
import { cachedS3Model } from '../../s3/modelDownload';
import { targets } from '../../targets';
import { jobFromArgument } from '../pick';
import { askPick } from '../prompts';
import { withCancellableProgress } from '../registerCommand';
import {
  BATCH_TITLE as TITLE,
  showBatchSummary as showSummary,
} from '../../batch/showBatchSummary';
import { batchDetectOnSageMaker } from './batchDetectSageMaker';
import { loadLocalModel } from './localModel';

/**
 * tfod.model.batchDetect: every image of a folder through a model here (a SageMaker job's model
 * downloaded once), or an S3 prefix through a SageMaker transform job; then the summary, with
 * results.jsonl to open (a folder) or its URI to copy (S3).
 */
export async function batchDetect(ctx: TfodContext, arg?: unknown): Promise<void> {
  const model = batchModelOf(arg) ?? (await pickModel(ctx));
  if (!model) return;
  const where =
    model.kind === 'sagemaker'
      ? await askPick(
          { title: TITLE, step: 1, total: 3 },
          [
            {
              label: 'On SageMaker',
              detail: 'A transform job over an S3 prefix of images',
              id: 'sagemaker',
            },
            {
              label: 'On this machine',
              detail: 'A folder of images; the model is downloaded once',
              id: 'local',
            },
          ],
          'Where should the model run?',
        )
      : { id: 'local' };
  if (model.kind === 'sagemaker' && where.id === 'sagemaker')
    return batchDetectOnSageMaker(ctx, model.job);
  const input = await pickFolder('Folder of images (JPEG, PNG; subfolders included)', 'Detect');
  const output =
    input && (await pickFolder('Folder for results.jsonl and summary.json', 'Write Here'));
  if (!input || !output) return;
  const { summary, resultsPath } = await withCancellableProgress(
    TITLE,
    async (progress, signal) => {
      const path =
        model.kind === 'local' ? model.path : await cachedS3Model(ctx, model.uri, signal, progress);
      const loaded = await loadLocalModel(path);
      let reported = 0;
      try {
        return await runLocalBatch({
          input,
          output,
          recursive: true,
          model: path,
          threshold: DEFAULT_SCORE_THRESHOLD,
          detect: (image, signal) =>
            loaded.detector.detect(image, { threshold: DEFAULT_SCORE_THRESHOLD, signal }),
          ...(loaded.names ? { names: loaded.names } : {}),
          signal,
          onProgress: (done, total, failed) => {
            const percent = (100 * done) / total;
            progress.report({
              message: `${done} of ${total} images${failed ? `, ${failed} failed` : ''}`,
              increment: percent - reported,
            });
            reported = percent;
          },
        });
      } catch (error) {
        if (error instanceof CancelledError)
          void vscode.window.showWarningMessage(
            `Cancelled: the images done so far are in ${output} as results.partial.jsonl (not complete).`,
          );
        throw error;
      } finally {
        loaded.close();
      }
    },
  );
  if ((await showSummary(ctx, summary, 'Open results.jsonl')) === 'Open results.jsonl')
    await vscode.window.showTextDocument(vscode.Uri.file(resultsPath));
}

async function pickFolder(title: string, openLabel: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    title,
    openLabel,
  });
  return picked?.[0]?.fsPath;
}

/** From the palette: a job of the selected target, or a model folder or archive. */
async function pickModel(ctx: TfodContext): Promise<BatchModel | undefined> {
  const kind = await askPick(
    { title: TITLE, step: 1, total: 3 },
    [
      {
        label: 'A training job',
        detail: `A completed job on the ${targets(ctx).current()} target`,
        id: 'job',
      },
      { label: 'A model folder or model.tar.gz', detail: 'On this machine', id: 'file' },
    ],
    'Which model?',
  );
  if (kind.id === 'job') {
    const picked = await jobFromArgument(ctx, undefined, TITLE, ['Completed']);
    if (!picked) return undefined;
    const job = await picked.target.describeTrainingJob(picked.name);
    return batchModelOf({ type: 'job', kind: picked.kind, entry: { summary: job, details: job } });
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    title: 'Model folder (model.json) or model.tar.gz to detect with',
  });
  return picked?.[0] ? { kind: 'local', path: picked[0].fsPath } : undefined;
}

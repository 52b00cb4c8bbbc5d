import * as vscode from 'vscode';
import { runLocalBatch } from '../../../core/batch';
import { CancelledError } from '../../../core/errors';
import { DEFAULT_SCORE_THRESHOLD } from '../../../detection';
import { batchModelOf, type BatchModel } from '../../batch/batchModel';
import type { TfodContext } from '../../context';
import { cachedS3Model } from '../../s3/modelDownload';
import { targets } from '../../targets';
import { jobFromArgument } from '../pick';
import { folderProblem, resolvePath, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';
import {
  BATCH_TITLE as TITLE,
  showBatchSummary as showSummary,
} from '../../batch/showBatchSummary';
import { batchDetectOnSageMaker } from './batchDetectSageMaker';
import { loadLocalModel } from './localModel';

interface BatchAnswers {
  readonly where: 'local' | 'sagemaker';
  readonly input: string;
  readonly output: string;
}

/** Where the model runs (a SageMaker job's: on SageMaker or here), then the input and output. */
function batchFlow(model: BatchModel, base: string): Flow<BatchAnswers> {
  const folder = (prompt: string, openLabel: string) => ({
    prompt,
    validate: (value: string) => folderProblem(value, base, vscode.l10n.t('Give a folder')),
    browse: { base, folders: true, files: false, openLabel },
  });
  return {
    title: TITLE,
    steps: [
      {
        when: () => model.kind === 'sagemaker',
        ask: async (s, ask) => {
          const items = [
            {
              label: vscode.l10n.t('On SageMaker'),
              detail: vscode.l10n.t('A transform job over an S3 prefix of images'),
              where: 'sagemaker' as const,
            },
            {
              label: vscode.l10n.t('On this machine'),
              detail: vscode.l10n.t('A folder of images; the model is downloaded once'),
              where: 'local' as const,
            },
          ];
          const picked = await ask.pick({
            items,
            placeHolder: vscode.l10n.t('Where should the model run?'),
            active: items.find((i) => i.where === s.where),
          });
          return { where: picked.where };
        },
      },
      {
        when: (s) => s.where === 'local',
        ask: async (s, ask) => ({
          input: await ask.text({
            ...folder(
              vscode.l10n.t('Folder of images (JPEG, PNG; subfolders included)'),
              vscode.l10n.t('Detect'),
            ),
            value: s.input,
          }),
        }),
      },
      {
        when: (s) => s.where === 'local',
        ask: async (s, ask) => ({
          output: await ask.text({
            ...folder(
              vscode.l10n.t('Folder for results.jsonl and summary.json'),
              vscode.l10n.t('Write Here'),
            ),
            value: s.output || s.input,
          }),
        }),
      },
    ],
  };
}

/**
 * tfod.model.batchDetect: every image of a folder through a model here (a SageMaker job's model
 * downloaded once), or an S3 prefix through a SageMaker transform job; then the summary, with
 * results.jsonl to open (a folder) or its URI to copy (S3).
 */
export async function batchDetect(ctx: TfodContext, arg?: unknown): Promise<void> {
  const model = batchModelOf(arg) ?? (await pickModel(ctx));
  if (!model) return;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const {
    where,
    input: typedInput,
    output: typedOutput,
  } = await runQuickInputFlow<BatchAnswers>(batchFlow(model, base), {
    where: model.kind === 'sagemaker' ? 'sagemaker' : 'local',
    input: '',
    output: '',
  });
  if (model.kind === 'sagemaker' && where === 'sagemaker')
    return batchDetectOnSageMaker(ctx, model.job);
  const input = resolvePath(base, typedInput);
  const output = resolvePath(base, typedOutput);
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
              message: failed
                ? vscode.l10n.t('{0} of {1} images, {2} failed', done, total, failed)
                : vscode.l10n.t('{0} of {1} images', done, total),
              increment: percent - reported,
            });
            reported = percent;
          },
        });
      } catch (error) {
        if (error instanceof CancelledError)
          void vscode.window.showWarningMessage(
            vscode.l10n.t(
              'Cancelled: the images done so far are in {0} as results.partial.jsonl (not complete).',
              output,
            ),
          );
        throw error;
      } finally {
        loaded.close();
      }
    },
  );
  const open = vscode.l10n.t('Open results.jsonl');
  if ((await showSummary(ctx, summary, open)) === open)
    await vscode.window.showTextDocument(vscode.Uri.file(resultsPath));
}

/** From the palette: a job of the selected target, or a model folder or archive. */
async function pickModel(ctx: TfodContext): Promise<BatchModel | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('A training job'),
        detail: vscode.l10n.t('A completed job on the {0} target', targets(ctx).current()),
        id: 'job',
      },
      {
        label: vscode.l10n.t('A model folder or model.tar.gz'),
        detail: vscode.l10n.t('On this machine'),
        id: 'file',
      },
    ],
    { title: TITLE, placeHolder: vscode.l10n.t('Which model?'), ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  if (kind.id === 'job') {
    const picked = await jobFromArgument(ctx, undefined, TITLE, ['Completed']);
    if (!picked) return undefined;
    const job = await picked.target.describeTrainingJob(picked.name);
    return batchModelOf({ type: 'job', kind: picked.kind, entry: { summary: job, details: job } });
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    title: vscode.l10n.t('Model folder (model.json) or model.tar.gz to detect with'),
  });
  return picked?.[0] ? { kind: 'local', path: picked[0].fsPath } : undefined;
}

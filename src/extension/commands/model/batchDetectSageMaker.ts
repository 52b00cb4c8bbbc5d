import * as vscode from 'vscode';
import { createS3Client, parseS3Prefix } from '../../../core/s3';
import { runTransformBatch, SageMakerTarget } from '../../../core/sagemaker';
import { DEFAULT_SCORE_THRESHOLD } from '../../../detection';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import type { Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';
import {
  BATCH_TITLE as TITLE,
  showBatchSummary as showSummary,
} from '../../batch/showBatchSummary';

const TRANSFORM_INSTANCE_TYPE = 'ml.m5.large';

/**
 * A SageMaker job's model over an S3 prefix as a transform job (the CLI's `tfod batch --target
 * sagemaker`), with the count of answers as progress; cancelling stops the job.
 */
export async function batchDetectOnSageMaker(ctx: TfodContext, job: string): Promise<void> {
  const prefixProblem = (value: string) => {
    try {
      parseS3Prefix(value);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const flow: Flow<{ input: string; output: string }> = {
    title: TITLE,
    steps: [
      {
        ask: async (s, ask) => ({
          input: await ask.text({
            prompt: vscode.l10n.t('S3 prefix of the images (only JPEG and PNG under it)'),
            placeHolder: 's3://my-bucket/images/',
            value: s.input,
            validate: prefixProblem,
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          output: await ask.text({
            prompt: vscode.l10n.t('S3 prefix for the answers, results.jsonl and summary.json'),
            value: s.output || `${s.input.replace(/\/+$/, '')}-detections/`,
            validate: prefixProblem,
          }),
        }),
      },
    ],
  };
  const { input, output } = await runQuickInputFlow(flow, { input: '', output: '' });
  const target = targets(ctx).require('sagemaker');
  if (!(target instanceof SageMakerTarget)) return;
  const s3 = createS3Client(getAwsSessionOptions());
  try {
    const result = await withCancellableProgress(
      vscode.l10n.t('{0} on SageMaker', TITLE),
      async (progress, signal) => {
        const details = await target.describeTrainingJob(job, signal);
        let reported = 0;
        return runTransformBatch(
          { sagemaker: target.clients.sagemaker, s3 },
          details,
          {
            input,
            output,
            instanceType: TRANSFORM_INSTANCE_TYPE,
            threshold: DEFAULT_SCORE_THRESHOLD,
          },
          {
            signal,
            onProgress: (p) => {
              const percent = p.total ? (100 * (p.done ?? 0)) / p.total : reported;
              progress.report({ message: p.message, increment: percent - reported });
              reported = percent;
            },
          },
        );
      },
    );
    if (result.status !== 'Completed')
      ctx.log.warn(
        `transform job ${result.transformJob} ${result.status}: ${result.failureReason ?? ''}`,
      );
    const copy = vscode.l10n.t('Copy Results URI');
    if ((await showSummary(ctx, result.summary, copy)) === copy)
      await vscode.env.clipboard.writeText(result.resultsUri);
  } finally {
    s3.destroy();
  }
}

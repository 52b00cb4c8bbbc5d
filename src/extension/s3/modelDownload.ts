import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createS3Client, downloadModelArtifact } from '../../core/s3';
import { getAwsSessionOptions } from '../config';
import type { TfodContext } from '../context';

/**
 * Downloads a model.tar.gz from S3 (a SageMaker job's S3ModelArtifacts) with the configured AWS
 * profile and region, reporting megabytes as they arrive; cancelled through `signal`.
 */
export async function downloadS3Model(
  ctx: TfodContext,
  uri: string,
  folder: string,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
): Promise<string> {
  const session = getAwsSessionOptions();
  const client = createS3Client(session);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  try {
    ctx.log.info(`downloading ${uri}`);
    const { path, bytes } = await downloadModelArtifact(uri, folder, {
      client,
      signal,
      session,
      onProgress: (p) =>
        progress.report({
          message: p.totalBytes
            ? vscode.l10n.t(
                'Downloading {0}: {1} of {2} MB',
                uri,
                mb(p.receivedBytes),
                mb(p.totalBytes),
              )
            : vscode.l10n.t('Downloading {0}: {1} MB', uri, mb(p.receivedBytes)),
        }),
    });
    ctx.log.info(`downloaded ${mb(bytes)} MB from ${uri}`);
    return path;
  } finally {
    client.destroy();
  }
}

/**
 * A job's S3 model, kept in the extension's global storage so previewing it again costs no
 * download: a completed job's artifact never changes. The file is written under a temporary name
 * and renamed when complete, so a cancelled download is never taken for a model.
 */
export async function cachedS3Model(
  ctx: TfodContext,
  uri: string,
  signal: AbortSignal,
  progress: vscode.Progress<{ message?: string }>,
): Promise<string> {
  const key = createHash('sha256').update(uri).digest('hex').slice(0, 16);
  const folder = join(ctx.extension.globalStorageUri.fsPath, 'models', key);
  const name = uri.split('/').pop() || 'model.tar.gz';
  const existing = join(folder, name);
  if ((await stat(existing).catch(() => undefined))?.isFile()) {
    ctx.log.info(`using the copy of ${uri} downloaded before (${existing})`);
    return existing;
  }
  return downloadS3Model(ctx, uri, folder, signal, progress);
}

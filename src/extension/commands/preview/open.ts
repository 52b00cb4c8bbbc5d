import * as vscode from 'vscode';
import type { TfodContext } from '../../context';
import {
  currentPreviewImages,
  currentPreviewSource,
  hostPath,
  pickPreviewSource,
  showPreviewPanel,
} from '../../preview/previewPanel';
import { PREVIEW_IMAGE_NAME, type PreviewSource } from '../../../core/preview/protocol';
import { evaluatedModelOf, type EvaluatedModel } from '../../evaluation/evaluatedModel';
import { cachedS3Model } from '../../s3/modelDownload';
import { withCancellableProgress } from '../registerCommand';

/**
 * tfod.preview.open: the detection preview, from the palette, an image in the explorer, an
 * endpoint's node (its source) or a job's or model's node (its model, run in-process). The images
 * are the ones named, else the active image, else the open preview's; only with none of these is
 * the user asked for some. With a preview open, images join it and keep its source unless a node
 * names another.
 */
export async function openPreview(ctx: TfodContext, arg?: unknown, many?: unknown): Promise<void> {
  const model = evaluatedModelOf(arg);
  const fromNode = await sourceFromNode(ctx, model);
  let images = imagesFromArguments(arg, many);
  if (images.length === 0) {
    const active = activeImage();
    if (active) images = [active];
  }
  const source = fromNode ?? currentPreviewSource() ?? (await pickPreviewSource(ctx));
  if (!source) return;
  if (images.length === 0 && currentPreviewImages().length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      title: vscode.l10n.t('Images to preview'),
      filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg'] },
    });
    images = (picked ?? []).map((uri) => uri.fsPath);
  }
  // A SageMaker job's model runs from its cached copy; the recent sources name its s3:// URI.
  const from = model?.kind === 's3' && source === fromNode ? model.uri : undefined;
  showPreviewPanel(ctx, { source, images, ...(from ? { from } : {}) });
}

function imagesFromArguments(arg: unknown, many: unknown): string[] {
  const uris = Array.isArray(many) ? many : [arg];
  return uris
    .filter((u): u is vscode.Uri => u instanceof vscode.Uri && PREVIEW_IMAGE_NAME.test(u.fsPath))
    .map((u) => u.fsPath);
}

/** The image shown in the active editor tab (VS Code's image preview is a custom editor). */
function activeImage(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri =
    input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText
      ? input.uri
      : undefined;
  const path = uri && hostPath(uri);
  return path && PREVIEW_IMAGE_NAME.test(path) ? path : undefined;
}

async function sourceFromNode(
  ctx: TfodContext,
  model: EvaluatedModel | undefined,
): Promise<PreviewSource | undefined> {
  switch (model?.kind) {
    case undefined:
      return undefined;
    case 'sagemaker':
      return { kind: 'sagemaker', endpoint: model.endpoint };
    case 'url':
      return { kind: 'url', url: model.url };
    case 'model':
      return { kind: 'model', path: model.path };
    case 's3': {
      // The preview runs models on this machine: a SageMaker job's model is downloaded once.
      const path = await withCancellableProgress(
        vscode.l10n.t('Preview Detections'),
        (progress, signal) => cachedS3Model(ctx, model.uri, signal, progress),
      );
      return { kind: 'model', path };
    }
  }
}

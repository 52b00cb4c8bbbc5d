// What "Evaluate Model" evaluates for a node of the jobs view, and where the model comes from:
// a decision kept free of `vscode` so that it is unit-tested beside the menu's `when` clause
// (test/unit/evaluation/evaluatedModel.test.ts checks that the two offer the same nodes).

import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors';
import { l10n } from '../l10n';
import { isJobsNode } from '../views/nodes';

/** A model on this machine, a SageMaker job's model in S3 (downloaded once first), or an endpoint. */
export type EvaluatedModel =
  | { readonly kind: 'model'; readonly path: string }
  | { readonly kind: 's3'; readonly uri: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'sagemaker'; readonly endpoint: string };

/**
 * The model a jobs-view node stands for (what Evaluate Model and Preview Detections run): a model node's, a completed job's (local: on disk;
 * SageMaker: its S3ModelArtifacts), or an endpoint; undefined for other nodes (the command then
 * asks for a model). A local endpoint without a URL is a UserError.
 */
export function evaluatedModelOf(node: unknown): EvaluatedModel | undefined {
  if (!isJobsNode(node)) return undefined;
  if (node.type === 'endpoint') {
    if (node.kind === 'sagemaker') return { kind: 'sagemaker', endpoint: node.endpoint.name };
    if (!node.endpoint.url)
      throw new UserError(
        l10n.t(
          'local endpoint {0} has no URL (it is {1})',
          node.endpoint.name,
          node.endpoint.status,
        ),
        l10n.t('Serve the model locally again (Serve Model Locally), then use its endpoint'),
      );
    return { kind: 'url', url: node.endpoint.url };
  }
  const uri =
    node.type === 'model'
      ? node.uri
      : node.type === 'job' && node.entry.summary.status === 'Completed'
        ? node.entry.details?.modelArtifacts
        : undefined;
  if (!uri) return undefined;
  if (uri.startsWith('s3://')) return { kind: 's3', uri };
  return { kind: 'model', path: uri.startsWith('file://') ? fileURLToPath(uri) : uri };
}

/** How the evaluated model is named in progress, log and report. */
export function evaluatedModelLabel(model: EvaluatedModel): string {
  switch (model.kind) {
    case 'model':
      return model.path;
    case 's3':
      return model.uri;
    case 'url':
      return model.url;
    case 'sagemaker':
      return model.endpoint;
  }
}

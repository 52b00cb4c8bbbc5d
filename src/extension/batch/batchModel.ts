// What "Detect in Many Images" runs for a node of the jobs view: a decision kept free of `vscode`
// so that it is unit-tested beside the menu's `when` clause (test/unit/batch/batchModel.test.ts).

import { evaluatedModelOf } from '../evaluation/evaluatedModel';
import { isJobsNode } from '../views/nodes';

/** A model on this machine, or a SageMaker job (a transform job, or its model downloaded). */
export type BatchModel =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'sagemaker'; readonly job: string; readonly uri: string };

/**
 * The model of a completed job's node or a model node; undefined for any other node (endpoints
 * included: a batch is the model's work, not an endpoint's), and the command then asks.
 */
export function batchModelOf(node: unknown): BatchModel | undefined {
  if (!isJobsNode(node) || (node.type !== 'job' && node.type !== 'model')) return undefined;
  const model = evaluatedModelOf(node);
  if (model?.kind === 'model') return { kind: 'local', path: model.path };
  if (model?.kind !== 's3') return undefined;
  const job = node.type === 'job' ? node.entry.summary.name : node.job;
  return { kind: 'sagemaker', job, uri: model.uri };
}

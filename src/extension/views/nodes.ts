import type { EndpointSummary } from '../../core/jobs';
import type { TargetKind } from '../../core/target';
import type { JobEntry } from './jobsModel';

/** The elements of the jobs tree; context-menu commands receive them as their argument. */
export type JobsNode =
  | { readonly type: 'target'; readonly kind: TargetKind }
  | { readonly type: 'job'; readonly kind: TargetKind; readonly entry: JobEntry }
  | {
      readonly type: 'model';
      readonly kind: TargetKind;
      readonly job: string;
      readonly uri: string;
    }
  | { readonly type: 'endpoints'; readonly kind: TargetKind }
  | { readonly type: 'endpoint'; readonly kind: TargetKind; readonly endpoint: EndpointSummary }
  | { readonly type: 'error'; readonly kind: TargetKind; readonly message: string };

export type JobNode = Extract<JobsNode, { type: 'job' }>;
export type EndpointNode = Extract<JobsNode, { type: 'endpoint' }>;

export function isJobsNode(value: unknown): value is JobsNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

export function asJobNode(value: unknown): JobNode | undefined {
  return isJobsNode(value) && value.type === 'job' ? value : undefined;
}

export function asEndpointNode(value: unknown): EndpointNode | undefined {
  return isJobsNode(value) && value.type === 'endpoint' ? value : undefined;
}

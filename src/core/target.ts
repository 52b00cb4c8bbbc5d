import { UserError } from './errors';

/**
 * Where training jobs and endpoints run. Both targets offer the same operations; a project moves
 * from one to the other by changing this value and nothing else.
 */
export const TARGET_KINDS = ['local', 'sagemaker'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const DEFAULT_TARGET: TargetKind = 'local';

export interface TargetDescription {
  readonly kind: TargetKind;
  readonly label: string;
  readonly detail: string;
}

export const TARGETS: readonly TargetDescription[] = [
  {
    kind: 'local',
    label: 'Local (Docker)',
    detail: 'Train and serve in Docker on this machine; a folder stands in for S3. No AWS account.',
  },
  {
    kind: 'sagemaker',
    label: 'Amazon SageMaker',
    detail: 'Training jobs and endpoints on SageMaker, data in S3, images in ECR.',
  },
];

export function isTargetKind(value: unknown): value is TargetKind {
  return typeof value === 'string' && (TARGET_KINDS as readonly string[]).includes(value);
}

/** Reads a target name typed by a user (CLI flag, setting) and says what is allowed if it is wrong. */
export function parseTarget(value: string, source = 'target'): TargetKind {
  const normalised = value.trim().toLowerCase();
  if (isTargetKind(normalised)) return normalised;
  throw new UserError(
    `unknown ${source} '${value}'`,
    `Use one of: ${TARGET_KINDS.join(', ')} (default ${DEFAULT_TARGET})`,
  );
}

export function describeTarget(kind: TargetKind): TargetDescription {
  const found = TARGETS.find((target) => target.kind === kind);
  if (!found) throw new Error(`no description for target ${kind}`);
  return found;
}

import { formatDuration } from './status';
import type { TrainingJobDetails } from './types';

/**
 * What a SageMaker job cost in time: SageMaker reports the seconds its instances trained and the
 * seconds it charges for, and with managed spot the difference is the saving, which it computes
 * as (1 - billable / training) x 100 (the console's "Managed spot training savings").
 */
export interface JobTimeCost {
  readonly trainingSeconds: number;
  readonly billableSeconds: number;
  /** Whole percent saved by managed spot; undefined for on-demand jobs. */
  readonly spotSavingsPercent?: number;
}

/** Undefined until SageMaker reports both times (a job still running, a local job). */
export function jobTimeCost(
  details: Pick<TrainingJobDetails, 'trainingSeconds' | 'billableSeconds' | 'spot'>,
): JobTimeCost | undefined {
  const { trainingSeconds, billableSeconds } = details;
  if (trainingSeconds === undefined || billableSeconds === undefined) return undefined;
  const savings =
    details.spot && trainingSeconds > 0
      ? Math.max(0, Math.round((1 - billableSeconds / trainingSeconds) * 100))
      : undefined;
  return {
    trainingSeconds,
    billableSeconds,
    ...(savings !== undefined ? { spotSavingsPercent: savings } : {}),
  };
}

/** "billable 12m 00s of 40m 00s training (managed spot: 70% saved)" */
export function formatJobTimeCost(cost: JobTimeCost): string {
  const billable = formatDuration(cost.billableSeconds * 1000);
  const training = formatDuration(cost.trainingSeconds * 1000);
  const spot =
    cost.spotSavingsPercent !== undefined
      ? ` (managed spot: ${cost.spotSavingsPercent}% saved)`
      : '';
  return `billable ${billable} of ${training} training${spot}`;
}

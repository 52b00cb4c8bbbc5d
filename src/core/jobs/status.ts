import type { EndpointStatus, TrainingJobStatus, TrainingJobSummary } from './types';

/**
 * Which states still change by themselves. The jobs view polls only while something is in one of
 * them, and `tailLogs --follow` ends once its job has left them.
 */
export function isTrainingJobActive(status: TrainingJobStatus): boolean {
  return status === 'InProgress' || status === 'Stopping';
}

export function isEndpointActive(status: EndpointStatus): boolean {
  return (
    status === 'Creating' ||
    status === 'Updating' ||
    status === 'SystemUpdating' ||
    status === 'RollingBack' ||
    status === 'Deleting'
  );
}

/** How long the job has run (or ran): from training start (or creation) to end (or now). */
export function elapsedMs(job: TrainingJobSummary, now: Date = new Date()): number {
  const start = job.trainingStartTime ?? job.creationTime;
  const end = job.trainingEndTime ?? (isTrainingJobActive(job.status) ? now : job.lastModifiedTime);
  return Math.max(0, (end ?? now).getTime() - start.getTime());
}

/** 3725000 -> "1h 02m"; 65000 -> "1m 05s"; 4000 -> "4s". */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}

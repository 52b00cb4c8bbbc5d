import type { TfodContext } from '../../context';
import { targets } from '../../targets';

/** tfod.jobs.refresh: lists the jobs and endpoints again (and polls while any is in progress). */
export function refreshJobs(ctx: TfodContext): void {
  targets(ctx).jobsChanged();
}

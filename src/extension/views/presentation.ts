import {
  elapsedMs,
  formatDuration,
  isEndpointActive,
  isTrainingJobActive,
  jobTimeCost,
  type EndpointStatus,
  type EndpointSummary,
  type TrainingJobDetails,
  type TrainingJobStatus,
  type TrainingJobSummary,
} from '../../core/jobs';
import { endpointCostHint } from '../../core/sagemaker/endpointCost';
import { describeTarget, type TargetKind } from '../../core/target';
import type { TargetGroup } from './jobsModel';

/**
 * What the jobs view shows for a job or an endpoint, as plain data (no 'vscode' here, so it is
 * unit-tested): icon and colour names, description, tooltip lines and the contextValue the menus'
 * `when` clauses match.
 */
export interface Look {
  /** A codicon id. */
  readonly icon: string;
  /** A theme colour id, or undefined for the default foreground. */
  readonly color?: string;
}

const JOB_LOOKS: Record<TrainingJobStatus, Look> = {
  InProgress: { icon: 'sync~spin', color: 'charts.blue' },
  Completed: { icon: 'pass', color: 'testing.iconPassed' },
  Failed: { icon: 'error', color: 'testing.iconFailed' },
  Stopping: { icon: 'loading~spin', color: 'charts.yellow' },
  Stopped: { icon: 'circle-slash', color: 'disabledForeground' },
};

const ENDPOINT_LOOKS: Partial<Record<EndpointStatus, Look>> = {
  InService: { icon: 'radio-tower', color: 'testing.iconPassed' },
  Failed: { icon: 'error', color: 'testing.iconFailed' },
  UpdateRollbackFailed: { icon: 'error', color: 'testing.iconFailed' },
  OutOfService: { icon: 'circle-slash', color: 'disabledForeground' },
};

export function jobLook(status: TrainingJobStatus): Look {
  return JOB_LOOKS[status];
}

export function endpointLook(status: EndpointStatus): Look {
  return (
    ENDPOINT_LOOKS[status] ??
    (isEndpointActive(status) ? { icon: 'sync~spin', color: 'charts.blue' } : { icon: 'circle' })
  );
}

/** "selected · 3 training jobs" for the selected target's group, "2 training jobs" for another. */
export function targetGroupDescription(group: TargetGroup): string {
  const jobs = group.snapshot?.jobs.length;
  const failed = group.snapshot?.error !== undefined;
  const count =
    jobs === undefined
      ? 'listing…'
      : failed && jobs === 0
        ? 'not listed'
        : `${jobs} training job${jobs === 1 ? '' : 's'}${failed ? ' (as last listed)' : ''}`;
  return group.selected ? `selected · ${count}` : count;
}

/** The row of a failed listing: a short label, the reason in full in the tooltip. */
export function listingErrorRow(snapshot: { error?: string; dockerUnreachable?: boolean }): {
  label: string;
  tooltip: string;
} {
  const reason = snapshot.error ?? '';
  return snapshot.dockerUnreachable
    ? { label: 'Docker is not running', tooltip: `${reason}\nStart Docker, then Retry.` }
    : { label: 'Cannot list jobs', tooltip: `${reason}\nRetry, or Show Log for details.` };
}

export function targetGroupTooltip(group: TargetGroup): string {
  const { label } = describeTarget(group.kind);
  return group.selected
    ? `${label}: the selected target (tfod.target), where new jobs and endpoints start`
    : `${label}: not the selected target, shown because it has jobs or endpoints (tfod.jobs.targets)`;
}

/** The metric worth a glance: total loss first, then any loss, then whatever there is. */
export function headlineMetric(
  metrics: Readonly<Record<string, number>>,
): [string, number] | undefined {
  const entries = Object.entries(metrics);
  return (
    entries.find(([name]) => name === 'total_loss') ??
    entries.find(([name]) => /loss/i.test(name)) ??
    entries[0]
  );
}

export function formatMetric(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.001 || abs >= 100000) ? value.toExponential(2) : value.toFixed(4);
}

/** "Training · 12m 05s · total_loss 0.4123" */
export function jobDescription(
  job: TrainingJobSummary,
  details?: TrainingJobDetails,
  now: Date = new Date(),
): string {
  const parts: string[] = [];
  const secondary = details?.secondaryStatus ?? job.secondaryStatus;
  parts.push(secondary && secondary !== job.status ? secondary : job.status);
  parts.push(formatDuration(elapsedMs(details ?? job, now)));
  const metric = details ? headlineMetric(details.lastMetrics) : undefined;
  if (metric) parts.push(`${metric[0]} ${formatMetric(metric[1])}`);
  const cost = details ? jobTimeCost(details) : undefined;
  if (cost?.spotSavingsPercent !== undefined) parts.push(`spot −${cost.spotSavingsPercent}%`);
  return parts.join(' · ');
}

/** Markdown lines for the job's tooltip. */
export function jobTooltip(
  job: TrainingJobSummary,
  details?: TrainingJobDetails,
  now: Date = new Date(),
): string {
  const lines = [
    `**${job.name}** · ${job.status}${job.secondaryStatus ? ` (${job.secondaryStatus})` : ''}`,
    '',
  ];
  const row = (label: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') lines.push(`${label}: ${value}  `);
  };
  row('Created', job.creationTime.toLocaleString());
  row(
    isTrainingJobActive(job.status) ? 'Running for' : 'Ran for',
    formatDuration(elapsedMs(details ?? job, now)),
  );
  if (details) {
    row(
      'Instance',
      details.instanceType && `${details.instanceCount ?? 1} × ${details.instanceType}`,
    );
    row('Image', details.image && `\`${details.image}\``);
    row('Role', details.roleArn && `\`${details.roleArn}\``);
    row('Capacity', details.spot ? 'managed spot' : undefined);
    const cost = jobTimeCost(details);
    if (cost) {
      row('Training time', formatDuration(cost.trainingSeconds * 1000));
      row(
        'Billable time',
        `${formatDuration(cost.billableSeconds * 1000)}${cost.spotSavingsPercent !== undefined ? ` (managed spot: ${cost.spotSavingsPercent}% saved)` : ''}`,
      );
    }
    row('Output', details.outputPath && `\`${details.outputPath}\``);
    row('Model', details.modelArtifacts && `\`${details.modelArtifacts}\``);
    row('Checkpoints', details.checkpointsPath && `\`${details.checkpointsPath}\``);
    row('TensorBoard', details.tensorboardPath && `\`${details.tensorboardPath}\``);
    const hyper = Object.entries(details.hyperparameters)
      .filter(([key]) => !key.startsWith('sagemaker_'))
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
    row('Hyperparameters', hyper);
    const metrics = Object.entries(details.lastMetrics)
      .map(([name, value]) => `${name} ${formatMetric(value)}`)
      .join(', ');
    row('Last metrics', metrics);
    if (details.failureReason) lines.push('', `**Failure:** ${details.failureReason}`);
  }
  lines.push('', `\`${job.id}\``);
  return lines.join('\n');
}

/** Flags the menus match with `viewItem =~ /\bjob\b/` and friends. */
export function jobContextValue(job: TrainingJobSummary, details?: TrainingJobDetails): string {
  const flags = ['job', job.target];
  flags.push(isTrainingJobActive(job.status) ? 'active' : 'ended');
  if (job.status === 'InProgress') flags.push('stoppable');
  if (job.status === 'Completed') flags.push('completed');
  if (details?.modelArtifacts) flags.push('hasModel');
  return flags.join(' ');
}

/** The flags of a job's model.tar.gz node (`model local`, `model sagemaker`). */
export function modelContextValue(kind: TargetKind): string {
  return `model ${kind}`;
}

export function endpointDescription(endpoint: EndpointSummary): string {
  const parts: string[] = [endpoint.status];
  if (endpoint.instanceType)
    parts.push(`${endpoint.instanceCount ?? 1} × ${endpoint.instanceType}`);
  if (endpoint.url) parts.push(endpoint.url);
  return parts.join(' · ');
}

export function endpointTooltip(endpoint: EndpointSummary): string {
  const lines = [`**${endpoint.name}** · ${endpoint.status}`, ''];
  if (endpoint.url) lines.push(`URL: ${endpoint.url} (POST ${endpoint.url}/invocations)  `);
  if (endpoint.modelName) lines.push(`Model: ${endpoint.modelName}  `);
  if (endpoint.configName) lines.push(`Config: ${endpoint.configName}  `);
  if (endpoint.creationTime) lines.push(`Created: ${endpoint.creationTime.toLocaleString()}  `);
  if (endpoint.target === 'sagemaker') lines.push(endpointCostHint(endpoint));
  if (endpoint.failureReason) lines.push('', `**Failure:** ${endpoint.failureReason}`);
  lines.push('', `\`${endpoint.id}\``);
  return lines.join('\n');
}

export function endpointContextValue(endpoint: EndpointSummary): string {
  const flags = ['endpoint', endpoint.target];
  flags.push(isEndpointActive(endpoint.status) ? 'active' : 'settled');
  if (endpoint.status !== 'Deleting') flags.push('deletable');
  if (endpoint.url) flags.push('hasUrl');
  return flags.join(' ');
}

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
import { describeTarget, type TargetKind } from '../../core/target';
import { l10n } from '../l10n';
import type { TargetGroup } from './jobsModel';

/**
 * What the jobs view shows for a job or an endpoint, as plain data (no 'vscode' here, so it is
 * unit-tested): icon and colour names, description, tooltip lines and the contextValue the menus'
 * `when` clauses match. Every word shown goes through `l10n.t`, a whole line or phrase per call
 * with `{n}` for the values; the values themselves (names, ARNs, SageMaker's statuses, numbers)
 * stay as they are. test/unit/project/l10n.test.ts fails on prose written here as a literal.
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
      ? l10n.t('listing…')
      : failed && jobs === 0
        ? l10n.t('not listed')
        : jobCount(jobs, failed);
  return group.selected ? l10n.t('selected · {0}', count) : count;
}

function jobCount(jobs: number, asLastListed: boolean): string {
  if (asLastListed)
    return jobs === 1
      ? l10n.t('{0} training job (as last listed)', jobs)
      : l10n.t('{0} training jobs (as last listed)', jobs);
  return jobs === 1 ? l10n.t('{0} training job', jobs) : l10n.t('{0} training jobs', jobs);
}

/** The row of a failed listing: a short label, the reason in full in the tooltip. */
export function listingErrorRow(snapshot: { error?: string; dockerUnreachable?: boolean }): {
  label: string;
  tooltip: string;
} {
  const reason = snapshot.error ?? '';
  return snapshot.dockerUnreachable
    ? {
        label: l10n.t('Docker is not running'),
        tooltip: l10n.t('{0}\nStart Docker, then Retry.', reason),
      }
    : {
        label: l10n.t('Cannot list jobs'),
        tooltip: l10n.t('{0}\nRetry, or Show Log for details.', reason),
      };
}

export function targetGroupTooltip(group: TargetGroup): string {
  const { label } = describeTarget(group.kind);
  return group.selected
    ? l10n.t('{0}: the selected target (tfod.target), where new jobs and endpoints start', label)
    : l10n.t(
        '{0}: not the selected target, shown because it has jobs or endpoints (tfod.jobs.targets)',
        label,
      );
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
  if (cost?.spotSavingsPercent !== undefined)
    parts.push(l10n.t('spot −{0}%', cost.spotSavingsPercent));
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
  // One row per call, "Label: {0}" whole, so a translation places the value and the colon.
  const row = (value: string | number | undefined, text: (value: string) => string): void => {
    if (value !== undefined && value !== '') lines.push(`${text(String(value))}  `);
  };
  const code = (value: string | undefined): string | undefined => value && `\`${value}\``;
  row(job.creationTime.toLocaleString(), (v) => l10n.t('Created: {0}', v));
  const elapsed = formatDuration(elapsedMs(details ?? job, now));
  if (isTrainingJobActive(job.status)) row(elapsed, (v) => l10n.t('Running for: {0}', v));
  else row(elapsed, (v) => l10n.t('Ran for: {0}', v));
  if (details) {
    row(details.instanceType && `${details.instanceCount ?? 1} × ${details.instanceType}`, (v) =>
      l10n.t('Instance: {0}', v),
    );
    row(code(details.image), (v) => l10n.t('Image: {0}', v));
    row(code(details.roleArn), (v) => l10n.t('Role: {0}', v));
    if (details.spot) lines.push(`${l10n.t('Capacity: managed spot')}  `);
    const cost = jobTimeCost(details);
    if (cost) {
      row(formatDuration(cost.trainingSeconds * 1000), (v) => l10n.t('Training time: {0}', v));
      const billable = formatDuration(cost.billableSeconds * 1000);
      if (cost.spotSavingsPercent !== undefined)
        lines.push(
          `${l10n.t('Billable time: {0} (managed spot: {1}% saved)', billable, cost.spotSavingsPercent)}  `,
        );
      else row(billable, (v) => l10n.t('Billable time: {0}', v));
    }
    row(code(details.outputPath), (v) => l10n.t('Output: {0}', v));
    row(code(details.modelArtifacts), (v) => l10n.t('Model: {0}', v));
    row(code(details.checkpointsPath), (v) => l10n.t('Checkpoints: {0}', v));
    row(code(details.tensorboardPath), (v) => l10n.t('TensorBoard: {0}', v));
    const hyper = Object.entries(details.hyperparameters)
      .filter(([key]) => !key.startsWith('sagemaker_'))
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
    row(hyper, (v) => l10n.t('Hyperparameters: {0}', v));
    const metrics = Object.entries(details.lastMetrics)
      .map(([name, value]) => `${name} ${formatMetric(value)}`)
      .join(', ');
    row(metrics, (v) => l10n.t('Last metrics: {0}', v));
    if (details.failureReason) lines.push('', l10n.t('**Failure:** {0}', details.failureReason));
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

/** One line of a SageMaker endpoint's tooltip: how it runs and how that is billed. */
export function endpointCostHint(endpoint: EndpointSummary): string {
  if (endpoint.serverless)
    return l10n.t(
      'Serverless ({0} MB, max concurrency {1}): billed per request for compute time and data, nothing while idle',
      endpoint.serverless.memoryMb,
      endpoint.serverless.maxConcurrency,
    );
  const scaling = endpoint.autoscaling;
  if (scaling) {
    // The parts a description may lack are whole phrases of their own, placed by the line's {n}.
    const instances = endpoint.instanceType ? `× ${endpoint.instanceType}` : l10n.t('instances');
    const now =
      endpoint.instanceCount !== undefined ? ` ${l10n.t('({0} now)', endpoint.instanceCount)}` : '';
    const target =
      scaling.targetInvocations !== undefined
        ? l10n.t(', target {0} invocations/instance/minute', scaling.targetInvocations)
        : '';
    return l10n.t(
      'Autoscaling {0}-{1} {2}{3}{4}; billed per instance-hour for the instances running',
      scaling.minInstances,
      scaling.maxInstances,
      instances,
      now,
      target,
    );
  }
  const unknown = endpoint.autoscalingUnknown;
  if (!endpoint.instanceType)
    return !unknown
      ? l10n.t('Billed per instance-hour while InService')
      : l10n.t('Billed per instance-hour while InService (autoscaling unknown: {0})', unknown);
  const instances = `${endpoint.instanceCount ?? 1} × ${endpoint.instanceType}`;
  return !unknown
    ? l10n.t('{0}, billed per instance-hour while InService', instances)
    : l10n.t(
        '{0}, billed per instance-hour while InService (autoscaling unknown: {1})',
        instances,
        unknown,
      );
}

export function endpointTooltip(endpoint: EndpointSummary): string {
  const lines = [`**${endpoint.name}** · ${endpoint.status}`, ''];
  if (endpoint.url) lines.push(`${l10n.t('URL: {0} (POST {0}/invocations)', endpoint.url)}  `);
  if (endpoint.modelName) lines.push(`${l10n.t('Model: {0}', endpoint.modelName)}  `);
  if (endpoint.configName) lines.push(`${l10n.t('Config: {0}', endpoint.configName)}  `);
  if (endpoint.creationTime)
    lines.push(`${l10n.t('Created: {0}', endpoint.creationTime.toLocaleString())}  `);
  if (endpoint.target === 'sagemaker') lines.push(endpointCostHint(endpoint));
  if (endpoint.failureReason) lines.push('', l10n.t('**Failure:** {0}', endpoint.failureReason));
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

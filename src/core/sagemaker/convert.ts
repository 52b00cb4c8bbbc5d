import type {
  DescribeEndpointConfigCommandOutput,
  DescribeEndpointCommandOutput,
  DescribeTrainingJobCommandOutput,
  EndpointSummary as SdkEndpointSummary,
  TrainingJobSummary as SdkTrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import {
  ENDPOINT_STATUSES,
  TRAINING_JOB_STATUSES,
  type EndpointStatus,
  type EndpointSummary,
  type ServerlessSettings,
  type TrainingJobDetails,
  type TrainingJobStatus,
  type TrainingJobSummary,
} from '../jobs/types';

/** SageMaker's answers in the target-neutral model. */

function jobStatus(value: string | undefined): TrainingJobStatus {
  return (TRAINING_JOB_STATUSES as readonly string[]).includes(value ?? '')
    ? (value as TrainingJobStatus)
    : 'InProgress';
}

function endpointStatus(value: string | undefined): EndpointStatus {
  return (ENDPOINT_STATUSES as readonly string[]).includes(value ?? '')
    ? (value as EndpointStatus)
    : 'OutOfService';
}

/** Drops undefined fields so results compare and print cleanly. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toTrainingJobSummary(job: SdkTrainingJobSummary): TrainingJobSummary {
  return defined({
    target: 'sagemaker' as const,
    name: job.TrainingJobName ?? '',
    id: job.TrainingJobArn ?? '',
    status: jobStatus(job.TrainingJobStatus),
    secondaryStatus: job.SecondaryStatus,
    creationTime: job.CreationTime ?? new Date(0),
    trainingEndTime: job.TrainingEndTime,
    lastModifiedTime: job.LastModifiedTime,
  });
}

export function toTrainingJobDetails(job: DescribeTrainingJobCommandOutput): TrainingJobDetails {
  const lastMetrics: Record<string, number> = {};
  for (const metric of job.FinalMetricDataList ?? []) {
    if (metric.MetricName !== undefined && metric.Value !== undefined)
      lastMetrics[metric.MetricName] = metric.Value;
  }
  return defined({
    target: 'sagemaker' as const,
    name: job.TrainingJobName ?? '',
    id: job.TrainingJobArn ?? '',
    status: jobStatus(job.TrainingJobStatus),
    secondaryStatus: job.SecondaryStatus,
    failureReason: job.FailureReason,
    creationTime: job.CreationTime ?? new Date(0),
    trainingStartTime: job.TrainingStartTime,
    trainingEndTime: job.TrainingEndTime,
    lastModifiedTime: job.LastModifiedTime,
    image: job.AlgorithmSpecification?.TrainingImage,
    roleArn: job.RoleArn,
    instanceType: job.ResourceConfig?.InstanceType,
    instanceCount: job.ResourceConfig?.InstanceCount,
    outputPath: job.OutputDataConfig?.S3OutputPath,
    hyperparameters: { ...(job.HyperParameters ?? {}) },
    lastMetrics,
    modelArtifacts: job.ModelArtifacts?.S3ModelArtifacts,
    spot: job.EnableManagedSpotTraining,
    maxWaitSeconds: job.StoppingCondition?.MaxWaitTimeInSeconds,
    checkpointsPath: job.CheckpointConfig?.S3Uri,
    tensorboardPath: job.TensorBoardOutputConfig?.S3OutputPath,
    trainingSeconds: job.TrainingTimeInSeconds,
    billableSeconds: job.BillableTimeInSeconds,
    statusHistory: (job.SecondaryStatusTransitions ?? []).map((transition) =>
      defined({
        status: transition.Status ?? '',
        startTime: transition.StartTime ?? new Date(0),
        endTime: transition.EndTime,
        message: transition.StatusMessage,
      }),
    ),
  });
}

export function toEndpointSummary(endpoint: SdkEndpointSummary): EndpointSummary {
  return defined({
    target: 'sagemaker' as const,
    name: endpoint.EndpointName ?? '',
    id: endpoint.EndpointArn ?? '',
    status: endpointStatus(endpoint.EndpointStatus),
    creationTime: endpoint.CreationTime,
    lastModifiedTime: endpoint.LastModifiedTime,
  });
}

export function toEndpointDetails(
  endpoint: DescribeEndpointCommandOutput,
  config?: DescribeEndpointConfigCommandOutput,
): EndpointSummary {
  const variant = config?.ProductionVariants?.[0];
  const running = endpoint.ProductionVariants?.[0];
  return defined({
    target: 'sagemaker' as const,
    name: endpoint.EndpointName ?? '',
    id: endpoint.EndpointArn ?? '',
    status: endpointStatus(endpoint.EndpointStatus),
    creationTime: endpoint.CreationTime,
    lastModifiedTime: endpoint.LastModifiedTime,
    failureReason: endpoint.FailureReason,
    configName: endpoint.EndpointConfigName,
    modelName: variant?.ModelName,
    instanceType: variant?.InstanceType,
    instanceCount: running?.CurrentInstanceCount ?? variant?.InitialInstanceCount,
    serverless: toServerlessSettings(variant?.ServerlessConfig ?? running?.CurrentServerlessConfig),
  });
}

/** A variant's ServerlessConfig (asked for) or CurrentServerlessConfig (running). */
export function toServerlessSettings(
  config: { MemorySizeInMB?: number; MaxConcurrency?: number } | undefined,
): ServerlessSettings | undefined {
  if (config?.MemorySizeInMB === undefined || config.MaxConcurrency === undefined) return undefined;
  return { memoryMb: config.MemorySizeInMB, maxConcurrency: config.MaxConcurrency };
}

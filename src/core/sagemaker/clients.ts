import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig, type AwsSessionOptions } from '../aws/session';

/** The SDK clients the SageMaker target talks through, built from one session. */
export interface SageMakerClients {
  readonly sagemaker: SageMakerClient;
  readonly logs: CloudWatchLogsClient;
  readonly runtime: SageMakerRuntimeClient;
  /** Endpoint autoscaling (Application Auto Scaling). */
  readonly autoscaling: ApplicationAutoScalingClient;
}

export function createSageMakerClients(session: AwsSessionOptions = {}): SageMakerClients {
  const config = awsClientConfig(session);
  return {
    sagemaker: new SageMakerClient(config),
    logs: new CloudWatchLogsClient(config),
    runtime: new SageMakerRuntimeClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
  };
}

export function destroyClients(clients: SageMakerClients): void {
  clients.sagemaker.destroy();
  clients.logs.destroy();
  clients.runtime.destroy();
  clients.autoscaling.destroy();
}

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig, type AwsSessionOptions } from '../aws/session';

/** The three SDK clients the SageMaker target talks through, built from one session. */
export interface SageMakerClients {
  readonly sagemaker: SageMakerClient;
  readonly logs: CloudWatchLogsClient;
  readonly runtime: SageMakerRuntimeClient;
}

export function createSageMakerClients(session: AwsSessionOptions = {}): SageMakerClients {
  const config = awsClientConfig(session);
  return {
    sagemaker: new SageMakerClient(config),
    logs: new CloudWatchLogsClient(config),
    runtime: new SageMakerRuntimeClient(config),
  };
}

export function destroyClients(clients: SageMakerClients): void {
  clients.sagemaker.destroy();
  clients.logs.destroy();
  clients.runtime.destroy();
}

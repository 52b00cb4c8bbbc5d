import type { EndpointSummary } from '../jobs/types';
import { isGpuInstanceType } from '../jobs/instanceTypes';

/**
 * The confirmation text for deleting an endpoint, naming what keeps it costing. No prices: they
 * differ by region and change; the pricing page is linked instead.
 */
export const SAGEMAKER_PRICING_URL = 'https://aws.amazon.com/sagemaker/pricing/';

export function endpointCostWarning(endpoint: EndpointSummary): string {
  if (endpoint.serverless)
    return (
      `Delete endpoint '${endpoint.name}'? It is serverless (${endpoint.serverless.memoryMb} MB): it is billed only for the requests it serves (${SAGEMAKER_PRICING_URL}), so it costs nothing while idle. ` +
      'Deleting it stops it answering; the model and its model.tar.gz in S3 stay, so you can deploy again.'
    );
  const count = endpoint.instanceCount ?? 1;
  const instances = endpoint.instanceType
    ? `${count} × ${endpoint.instanceType}${isGpuInstanceType(endpoint.instanceType) ? ' (GPU)' : ''}`
    : 'its instances';
  const state =
    endpoint.status === 'InService'
      ? 'It is InService now'
      : `It is ${endpoint.status} now; once InService it costs like any other`;
  return (
    `Delete endpoint '${endpoint.name}'? It runs ${instances} and keeps costing while InService: ` +
    `SageMaker bills every instance-hour whether or not it gets requests (${SAGEMAKER_PRICING_URL}). ` +
    `${state}. ${scalingNote(endpoint)}Deleting it stops the charges${endpoint.autoscaling ? ' and removes its autoscaling' : ''}; the model and its model.tar.gz in S3 stay, so you can deploy again.`
  );
}

function scalingNote(endpoint: EndpointSummary): string {
  const scaling = endpoint.autoscaling;
  return scaling
    ? `It autoscales between ${scaling.minInstances} and ${scaling.maxInstances} instances, so it never costs less than ${scaling.minInstances}. `
    : '';
}

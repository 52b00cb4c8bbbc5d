import type { EndpointSummary } from '../jobs/types';
import { isGpuInstanceType } from '../jobs/instanceTypes';

/**
 * The confirmation text for deleting an endpoint, naming what keeps it costing. No prices: they
 * differ by region and change; the pricing page is linked instead.
 */
export const SAGEMAKER_PRICING_URL = 'https://aws.amazon.com/sagemaker/pricing/';

export function endpointCostWarning(endpoint: EndpointSummary): string {
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
    `${state}. Deleting it stops the charges; the model and its model.tar.gz in S3 stay, so you can deploy again.`
  );
}

/** One line for the jobs view's tooltip. */
export function endpointCostHint(endpoint: EndpointSummary): string {
  if (!endpoint.instanceType) return 'Billed per instance-hour while InService';
  return `${endpoint.instanceCount ?? 1} × ${endpoint.instanceType}, billed per instance-hour while InService`;
}

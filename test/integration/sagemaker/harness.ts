import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { awsClientConfig } from '../../../src/core/aws/session';
import { assertValidRequest, cliOperation } from '../../unit/sagemaker/awsCli';

/**
 * The SDK boundary of the integration tests. Every mutating SageMaker request (Create*, Update*,
 * Stop*, Delete*) is checked against the AWS CLI's offline parameter validation before it goes to
 * moto. The calls moto 5.2 does not implement (it answers them with an HTML 500) are answered here
 * instead, after the same check: StopTrainingJob, StopTransformJob, and UpdateEndpoint, which is
 * carried out on moto as DeleteEndpoint + CreateEndpoint with the new config so later
 * DescribeEndpoint calls are real.
 */
export interface BoundaryCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly faked: boolean;
}

export const FAKED_OPERATIONS = ['StopTrainingJob', 'StopTransformJob', 'UpdateEndpoint'] as const;

export function guardSdkBoundary(client: SageMakerClient): BoundaryCall[] {
  const calls: BoundaryCall[] = [];
  const moto = new SageMakerClient(awsClientConfig({}));
  const fakes: Record<string, (input: Record<string, unknown>) => Promise<object>> = {
    StopTrainingJob: async () => ({}),
    StopTransformJob: async () => ({}),
    UpdateEndpoint: async (input) => {
      const EndpointName = String(input.EndpointName);
      await moto.send(new DeleteEndpointCommand({ EndpointName }));
      const created = await moto.send(
        new CreateEndpointCommand({
          EndpointName,
          EndpointConfigName: String(input.EndpointConfigName),
        }),
      );
      return { EndpointArn: created.EndpointArn };
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (!/^(Create|Update|Stop|Delete)/.test(operation)) return next(args);
      const input = args.input as Record<string, unknown>;
      assertValidRequest('sagemaker', cliOperation(operation), input);
      const fake = fakes[operation];
      calls.push({ operation, input, faked: fake !== undefined });
      if (!fake) return next(args);
      const output = await fake(input);
      return { output: { ...output, $metadata: {} }, response: {} } as Awaited<
        ReturnType<typeof next>
      >;
    },
    { step: 'initialize', name: 'tfodSdkBoundary' },
  );
  return calls;
}

/**
 * The same check for Application Auto Scaling: every Register, Put, Delete and Deregister request
 * passes the AWS CLI's validation before moto (which implements them all) gets it.
 */
export function guardScalingBoundary(client: ApplicationAutoScalingClient): BoundaryCall[] {
  const calls: BoundaryCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (!/^(Register|Put|Delete|Deregister)/.test(operation)) return next(args);
      const input = args.input as unknown as Record<string, unknown>;
      assertValidRequest('application-autoscaling', cliOperation(operation), input);
      calls.push({ operation, input, faked: false });
      return next(args);
    },
    { step: 'initialize', name: 'tfodScalingBoundary' },
  );
  return calls;
}

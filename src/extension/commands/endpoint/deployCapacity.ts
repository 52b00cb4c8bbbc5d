import type * as vscode from 'vscode';
import {
  DEFAULT_SERVERLESS_MAX_CONCURRENCY,
  DEFAULT_SERVERLESS_MEMORY_MB,
  SERVERLESS_MAX_CONCURRENCY_LIMIT,
  SERVERLESS_MEMORY_SIZES_MB,
  autoscalingProblems,
  endpointAutoscaling,
} from '../../../core/jobs/endpointCapacity';
import { ENDPOINT_INSTANCE_TYPES } from '../../../core/jobs/instanceTypes';
import type { EndpointAutoscaling, ServerlessSettings } from '../../../core/jobs/types';
import { SAGEMAKER_PRICING_URL } from '../../../core/sagemaker/endpointCost';
import { getEndpointTargetInvocations } from '../../config';
import type { Remembered } from '../memory';
import { askNumber, askPick, askText, type Step } from '../prompts';

type Mode = 'fixed' | 'autoscaling' | 'serverless';
type Last = Partial<Remembered['endpoint.last']>;

export interface CapacityAnswer {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly autoscaling?: EndpointAutoscaling;
  readonly serverless?: ServerlessSettings;
  readonly remembered: Remembered['endpoint.last'];
}

/** The way an endpoint runs, each with how SageMaker bills it (no prices: they vary by region). */
function modes(targetInvocations: number): (vscode.QuickPickItem & { mode: Mode })[] {
  return [
    {
      mode: 'fixed',
      label: 'Instances, fixed count',
      description: 'billed per instance-hour',
      detail:
        'Every instance is billed per instance-hour while InService, with or without requests. For steady traffic.',
    },
    {
      mode: 'autoscaling',
      label: 'Instances, autoscaling',
      description: 'billed per instance-hour, between a minimum and a maximum',
      detail: `Instances are added above ${targetInvocations} invocations per instance per minute (tfod.endpoint.targetInvocations) and removed below it; billed for the instances running, never fewer than the minimum.`,
    },
    {
      mode: 'serverless',
      label: 'Serverless',
      description: 'billed per request',
      detail:
        "No instances: billed for each request's compute time (by memory size) and data processed, nothing while idle. The first request after idle waits for a cold start; CPU only; an instance endpoint cannot become serverless in place.",
    },
  ];
}

/** "1-4" -> { min: 1, max: 4 }; a lone number is a fixed range. */
function parseRange(text: string): { min: number; max: number } | undefined {
  const match = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(text);
  if (!match) return undefined;
  const min = Number(match[1]);
  return { min, max: match[2] !== undefined ? Number(match[2]) : min };
}

/**
 * The capacity steps of Deploy Model to Endpoint: how it runs (fixed, autoscaling, serverless),
 * then the instance type or serverless memory, then the count, range or max concurrency.
 */
export async function askCapacity(
  howStep: Step,
  sizeStep: Step,
  countStep: Step,
  last: Last,
): Promise<CapacityAnswer> {
  const targetInvocations = getEndpointTargetInvocations();
  const items = modes(targetInvocations).sort(
    (a, b) => Number(b.mode === last.mode) - Number(a.mode === last.mode),
  );
  const { mode } = await askPick(
    howStep,
    items,
    `How the endpoint runs, and how it is billed (prices by region: ${SAGEMAKER_PRICING_URL})`,
  );
  const fallbackType = last.instanceType ?? ENDPOINT_INSTANCE_TYPES[0]?.name ?? 'ml.m5.large';
  if (mode === 'serverless') {
    const preferredMemory = last.memoryMb ?? DEFAULT_SERVERLESS_MEMORY_MB;
    const memoryMb = Number(
      (
        await askPick(
          sizeStep,
          [...SERVERLESS_MEMORY_SIZES_MB]
            .sort((a, b) => Number(b === preferredMemory) - Number(a === preferredMemory))
            .map((mb) => ({ label: String(mb), description: `MB (${mb / 1024} GB)` })),
          'Memory of each serverless instance of the model (compute is billed by it)',
        )
      ).label,
    );
    const maxConcurrency = await askNumber(countStep, {
      prompt: 'Max concurrency: requests served at once (more wait or are throttled)',
      value: last.maxConcurrency ?? DEFAULT_SERVERLESS_MAX_CONCURRENCY,
      min: 1,
      max: SERVERLESS_MAX_CONCURRENCY_LIMIT,
      unit: 'requests',
    });
    return {
      instanceType: fallbackType,
      instanceCount: last.instanceCount ?? 1,
      serverless: { memoryMb, maxConcurrency },
      remembered: {
        instanceType: fallbackType,
        instanceCount: last.instanceCount ?? 1,
        mode,
        memoryMb,
        maxConcurrency,
      },
    };
  }
  const types = [...ENDPOINT_INSTANCE_TYPES].sort(
    (a, b) => Number(b.name === fallbackType) - Number(a.name === fallbackType),
  );
  const instanceType = (
    await askPick(
      sizeStep,
      types.map((t) => ({ label: t.name, description: t.gpus ? 'GPU' : 'CPU', detail: t.detail })),
      'Instance type of the endpoint (billed per instance-hour while InService)',
    )
  ).label;
  if (mode === 'fixed') {
    const instanceCount = await askNumber(countStep, {
      prompt: 'Instance count',
      value: last.instanceCount ?? 1,
      min: 1,
      max: 100,
      unit: 'instances',
    });
    return { instanceType, instanceCount, remembered: { instanceType, instanceCount, mode } };
  }
  const scalingOf = (range: { min: number; max: number }) =>
    endpointAutoscaling(
      { minInstances: range.min, maxInstances: range.max },
      { targetInvocations },
    );
  const text = await askText(countStep, {
    prompt: `Instances: minimum-maximum, e.g. 1-4 (the minimum always runs and is billed)`,
    value: `${last.instanceCount ?? 1}-${last.maxInstances ?? 4}`,
    validate: (value) => {
      const range = parseRange(value);
      if (!range) return 'Two whole numbers, minimum-maximum, e.g. 1-4';
      return autoscalingProblems(scalingOf(range))[0];
    },
  });
  const autoscaling = scalingOf(parseRange(text) ?? { min: 1, max: 1 });
  return {
    instanceType,
    instanceCount: autoscaling.minInstances,
    autoscaling,
    remembered: {
      instanceType,
      instanceCount: autoscaling.minInstances,
      maxInstances: autoscaling.maxInstances,
      mode,
    },
  };
}

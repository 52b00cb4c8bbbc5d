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
import { firstWhere, type FlowStep, type PickItem } from '../../flows/flow';
import { l10n } from '../../l10n';

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
function modes(targetInvocations: number): (PickItem & { mode: Mode })[] {
  return [
    {
      mode: 'fixed',
      label: l10n.t('Instances, fixed count'),
      description: l10n.t('billed per instance-hour'),
      detail: l10n.t(
        'Every instance is billed per instance-hour while InService, with or without requests. For steady traffic.',
      ),
    },
    {
      mode: 'autoscaling',
      label: l10n.t('Instances, autoscaling'),
      description: l10n.t('billed per instance-hour, between a minimum and a maximum'),
      detail: l10n.t(
        'Instances are added above {0} invocations per instance per minute (tfod.endpoint.targetInvocations) and removed below it; billed for the instances running, never fewer than the minimum.',
        targetInvocations,
      ),
    },
    {
      mode: 'serverless',
      label: l10n.t('Serverless'),
      description: l10n.t('billed per request'),
      detail: l10n.t(
        "No instances: billed for each request's compute time (by memory size) and data processed, nothing while idle. The first request after idle waits for a cold start; CPU only; an instance endpoint cannot become serverless in place.",
      ),
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

/** The answers of the capacity steps. */
export interface CapacityState {
  readonly mode: Mode;
  readonly instanceType: string;
  readonly instanceCount: number;
  /** minimum-maximum, as typed. */
  readonly range: string;
  readonly memoryMb: number;
  readonly maxConcurrency: number;
}

/** The capacity steps' defaults: the last deploy's answers. */
export function capacityDefaults(last: Last): CapacityState {
  return {
    mode: last.mode ?? 'fixed',
    instanceType: last.instanceType ?? ENDPOINT_INSTANCE_TYPES[0]?.name ?? 'ml.m5.large',
    instanceCount: last.instanceCount ?? 1,
    range: `${last.instanceCount ?? 1}-${last.maxInstances ?? 4}`,
    memoryMb: last.memoryMb ?? DEFAULT_SERVERLESS_MEMORY_MB,
    maxConcurrency: last.maxConcurrency ?? DEFAULT_SERVERLESS_MAX_CONCURRENCY,
  };
}

const scalingOf = (range: { min: number; max: number }, targetInvocations: number) =>
  endpointAutoscaling({ minInstances: range.min, maxInstances: range.max }, { targetInvocations });

/**
 * The capacity steps of Deploy Model to Endpoint, for the flow runner: how it runs (fixed,
 * autoscaling, serverless), then the instance type or serverless memory, then the count, range
 * or max concurrency.
 */
export function capacitySteps<S extends CapacityState>(): FlowStep<S>[] {
  const targetInvocations = getEndpointTargetInvocations();
  return [
    {
      ask: async (s, ask) => {
        const items = modes(targetInvocations);
        const picked = await ask.pick({
          items,
          placeHolder: l10n.t(
            'How the endpoint runs, and how it is billed (prices by region: {0})',
            SAGEMAKER_PRICING_URL,
          ),
          active: items.find((i) => i.mode === s.mode),
        });
        return { mode: picked.mode } as Partial<S>;
      },
    },
    {
      when: (s) => s.mode === 'serverless',
      ask: async (s, ask) => {
        const items = SERVERLESS_MEMORY_SIZES_MB.map((mb) => ({
          label: String(mb),
          description: l10n.t('MB ({0} GB)', mb / 1024),
        }));
        const picked = await ask.pick({
          items,
          placeHolder: l10n.t(
            'Memory of each serverless instance of the model (compute is billed by it)',
          ),
          active: items.find((i) => i.label === String(s.memoryMb)),
        });
        return { memoryMb: Number(picked.label) } as Partial<S>;
      },
    },
    {
      when: (s) => s.mode === 'serverless',
      ask: async (s, ask) =>
        ({
          maxConcurrency: await ask.number({
            prompt: l10n.t('Max concurrency: requests served at once (more wait or are throttled)'),
            value: s.maxConcurrency,
            min: 1,
            max: SERVERLESS_MAX_CONCURRENCY_LIMIT,
            unit: l10n.t('requests'),
          }),
        }) as Partial<S>,
    },
    {
      when: (s) => s.mode !== 'serverless',
      ask: async (s, ask) => {
        const items = firstWhere(ENDPOINT_INSTANCE_TYPES, (t) => t.name === s.instanceType).map(
          (t) => ({ label: t.name, description: t.gpus ? 'GPU' : 'CPU', detail: t.detail }),
        );
        const picked = await ask.pick({
          items,
          placeHolder: l10n.t(
            'Instance type of the endpoint (billed per instance-hour while InService)',
          ),
          active: items.find((i) => i.label === s.instanceType),
        });
        return { instanceType: picked.label } as Partial<S>;
      },
    },
    {
      when: (s) => s.mode === 'fixed',
      ask: async (s, ask) =>
        ({
          instanceCount: await ask.number({
            prompt: l10n.t('Instance count'),
            value: s.instanceCount,
            min: 1,
            max: 100,
            unit: l10n.t('instances'),
          }),
        }) as Partial<S>,
    },
    {
      when: (s) => s.mode === 'autoscaling',
      ask: async (s, ask) =>
        ({
          range: await ask.text({
            prompt: l10n.t(
              'Instances: minimum-maximum, e.g. 1-4 (the minimum always runs and is billed)',
            ),
            value: s.range,
            validate: (value) => {
              const range = parseRange(value);
              if (!range) return l10n.t('Two whole numbers, minimum-maximum, e.g. 1-4');
              return autoscalingProblems(scalingOf(range, targetInvocations))[0];
            },
          }),
        }) as Partial<S>,
    },
  ];
}

/** What the capacity answers deploy, and what is remembered for next time. */
export function capacityOf(state: CapacityState): CapacityAnswer {
  const { mode, instanceType } = state;
  if (mode === 'serverless') {
    const { memoryMb, maxConcurrency } = state;
    return {
      instanceType,
      instanceCount: state.instanceCount,
      serverless: { memoryMb, maxConcurrency },
      remembered: {
        instanceType,
        instanceCount: state.instanceCount,
        mode,
        memoryMb,
        maxConcurrency,
      },
    };
  }
  if (mode === 'fixed') {
    const { instanceCount } = state;
    return { instanceType, instanceCount, remembered: { instanceType, instanceCount, mode } };
  }
  const autoscaling = scalingOf(
    parseRange(state.range) ?? { min: 1, max: 1 },
    getEndpointTargetInvocations(),
  );
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

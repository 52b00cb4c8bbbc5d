import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';

/**
 * Stand-ins for the SDK clients at their one seam, `send(command)`: each command is answered by
 * a handler named after its operation, and every call is recorded for the assertions.
 */
export interface RecordedCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

export type Handler = (input: Record<string, unknown>) => unknown;

export class StubClient {
  readonly calls: RecordedCall[] = [];
  readonly config = { region: async (): Promise<string> => 'us-east-1' };

  constructor(readonly handlers: Record<string, Handler>) {}

  async send(
    command: { constructor: { name: string }; input: Record<string, unknown> },
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown> {
    const operation = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ operation, input: command.input });
    if (options?.abortSignal?.aborted)
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    const handler = this.handlers[operation];
    if (!handler) throw new Error(`the stub has no handler for ${operation}`);
    return handler(command.input);
  }

  operations(): string[] {
    return this.calls.map((call) => call.operation);
  }

  asSageMaker(): SageMakerClient {
    return this as unknown as SageMakerClient;
  }

  asLogs(): CloudWatchLogsClient {
    return this as unknown as CloudWatchLogsClient;
  }

  asAutoscaling(): ApplicationAutoScalingClient {
    return this as unknown as ApplicationAutoScalingClient;
  }
}

export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

export const notFound = (what: string): Error =>
  awsError(
    'ValidationException',
    `Could not find ${what} 'arn:aws:sagemaker:us-east-1:123456789012:x'.`,
  );

/**
 * CloudWatch Logs as GetLogEvents documents it: forward tokens, at most `pageSize` events a
 * page, the same token handed back at the end of a stream.
 */
export class FakeLogGroup {
  readonly streams = new Map<string, { timestamp: number; message: string }[]>();
  exists = true;

  constructor(readonly pageSize = 2) {}

  append(stream: string, ...events: [number, string][]): void {
    const list = this.streams.get(stream) ?? [];
    for (const [timestamp, message] of events) list.push({ timestamp, message });
    this.streams.set(stream, list);
  }

  client(): StubClient {
    return new StubClient({
      DescribeLogStreams: (input) => {
        if (!this.exists)
          throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
        const names = [...this.streams.keys()].filter((name) =>
          name.startsWith(String(input.logStreamNamePrefix ?? '')),
        );
        // One stream a page, to exercise pagination.
        const at = Number(input.nextToken ?? 0);
        return {
          logStreams: names.slice(at, at + 1).map((logStreamName) => ({ logStreamName })),
          ...(at + 1 < names.length ? { nextToken: String(at + 1) } : {}),
        };
      },
      GetLogEvents: (input) => {
        const all = this.streams.get(String(input.logStreamName)) ?? [];
        const token = input.nextToken as string | undefined;
        let at = token ? Number(token.slice(2)) : 0;
        if (!token && typeof input.startTime === 'number') {
          const startTime = input.startTime;
          at = all.findIndex((event) => event.timestamp >= startTime);
          if (at < 0) at = all.length;
        }
        const events = all.slice(at, at + this.pageSize);
        return {
          events: events.map((event) => ({ ...event, ingestionTime: event.timestamp })),
          nextForwardToken: events.length ? `f/${at + events.length}` : (token ?? `f/${at}`),
        };
      },
    });
  }
}

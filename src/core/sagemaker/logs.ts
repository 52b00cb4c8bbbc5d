import {
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { CancelledError } from '../errors';
import { delay, isAbortError } from '../jobs/delay';
import type { LogEvent, TailLogsOptions } from '../jobs/types';

/** Where SageMaker writes training jobs' output: one stream per instance, `<job>/algo-<n>-<ts>`. */
export const TRAINING_JOB_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

export interface LogStreamTailOptions extends TailLogsOptions {
  readonly logGroupName?: string;
  /**
   * While following: asked after each round; once it says true, one more round runs after the
   * poll interval (CloudWatch lags a little) and the iteration ends.
   */
  readonly isDone?: () => Promise<boolean>;
}

/** Stops a stream that keeps handing out new tokens without events from looping forever. */
const MAX_PAGES_PER_ROUND = 50;

/**
 * The events of every log stream whose name starts with `streamPrefix`, oldest first within each
 * round of polling. With `follow`, polls GetLogEvents with each stream's nextForwardToken and picks
 * up streams that appear later (a job's second instance, a restarted algorithm). Ends quietly when
 * `signal` aborts; a log group that does not exist yet is an empty log.
 */
export async function* tailLogStreams(
  client: CloudWatchLogsClient,
  streamPrefix: string,
  options: LogStreamTailOptions = {},
): AsyncGenerator<LogEvent, void, undefined> {
  const logGroupName = options.logGroupName ?? TRAINING_JOB_LOG_GROUP;
  const interval = options.pollIntervalMs ?? 2000;
  const signal = options.signal;
  const tokens = new Map<string, string | undefined>();
  let finishing = false;

  const discover = async (): Promise<void> => {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeLogStreamsCommand({
          logGroupName,
          logStreamNamePrefix: streamPrefix,
          nextToken,
        }),
        { abortSignal: signal },
      );
      for (const stream of page.logStreams ?? []) {
        if (stream.logStreamName && !tokens.has(stream.logStreamName))
          tokens.set(stream.logStreamName, undefined);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  };

  const drain = async (stream: string): Promise<LogEvent[]> => {
    const events: LogEvent[] = [];
    let token = tokens.get(stream);
    for (let page = 0; page < MAX_PAGES_PER_ROUND; page++) {
      const answer = await client.send(
        new GetLogEventsCommand({
          logGroupName,
          logStreamName: stream,
          startFromHead: true,
          ...(token ? { nextToken: token } : { startTime: options.startTime }),
        }),
        { abortSignal: signal },
      );
      for (const event of answer.events ?? []) {
        events.push({
          timestamp: event.timestamp ?? 0,
          message: (event.message ?? '').replace(/\n$/, ''),
          stream,
        });
      }
      // CloudWatch hands back the token it was given once the stream has nothing more.
      const next = answer.nextForwardToken;
      const atEnd = !next || next === token;
      token = next ?? token;
      if (atEnd) break;
    }
    tokens.set(stream, token);
    return events;
  };

  for (;;) {
    if (signal?.aborted) return;
    let batch: LogEvent[] = [];
    try {
      try {
        await discover();
      } catch (error) {
        // The group appears with the job's first log line.
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      }
      for (const stream of tokens.keys()) batch = batch.concat(await drain(stream));
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) return;
      throw error;
    }
    // Array.prototype.sort is stable: events of one stream keep their order.
    batch.sort((a, b) => a.timestamp - b.timestamp);
    for (const event of batch) {
      if (signal?.aborted) return;
      yield event;
    }
    if (!options.follow || finishing) return;
    try {
      if (options.isDone && (await options.isDone())) finishing = true;
      await delay(interval, signal);
    } catch (error) {
      if (signal?.aborted || error instanceof CancelledError || isAbortError(error)) return;
      throw error;
    }
  }
}

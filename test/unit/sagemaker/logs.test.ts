import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogEvent } from '../../../src/core/jobs/types';
import { TRAINING_JOB_LOG_GROUP, tailLogStreams } from '../../../src/core/sagemaker/logs';
import { FakeLogGroup, awsError, StubClient } from './stubs';

const messages = (events: LogEvent[]): string[] => events.map((event) => event.message);

async function collect(iterable: AsyncIterable<LogEvent>): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

/** Resolves once `events` holds `count` items (the tail runs concurrently). */
async function until(events: LogEvent[], count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    if (Date.now() > deadline)
      assert.fail(
        `only ${events.length} of ${count} events arrived: ${messages(events).join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('CloudWatch Logs tailing', () => {
  it("reads every stream of the job, across pages, merged by time; not other jobs' streams", async () => {
    const group = new FakeLogGroup();
    group.append('job-1/algo-1-100', [1, 'a1'], [3, 'a3'], [5, 'a5\n']);
    group.append('job-1/algo-2-100', [2, 'b2'], [4, 'b4']);
    group.append('job-10/algo-1-100', [1, 'other job']);
    const client = group.client();
    const events = await collect(tailLogStreams(client.asLogs(), 'job-1/'));
    assert.deepEqual(messages(events), ['a1', 'b2', 'a3', 'b4', 'a5']);
    assert.equal(events[1]?.stream, 'job-1/algo-2-100');
    const get = client.calls.filter((call) => call.operation === 'GetLogEvents');
    assert.ok(get.every((call) => call.input.logGroupName === TRAINING_JOB_LOG_GROUP));
    assert.ok(get.every((call) => call.input.startFromHead === true));
  });

  it('starts at startTime', async () => {
    const group = new FakeLogGroup();
    group.append('j/algo-1', [1, 'old'], [10, 'new'], [11, 'newer']);
    const events = await collect(tailLogStreams(group.client().asLogs(), 'j/', { startTime: 10 }));
    assert.deepEqual(messages(events), ['new', 'newer']);
  });

  it('follows: new events and new streams arrive, and aborting ends the iteration quietly', async () => {
    const group = new FakeLogGroup();
    group.append('j/algo-1', [1, 'first']);
    const controller = new AbortController();
    const events: LogEvent[] = [];
    const done = (async () => {
      for await (const event of tailLogStreams(group.client().asLogs(), 'j/', {
        follow: true,
        pollIntervalMs: 10,
        signal: controller.signal,
      }))
        events.push(event);
    })();
    await until(events, 1);
    group.append('j/algo-1', [2, 'second'], [3, 'third'], [4, 'fourth']);
    await until(events, 4);
    group.append('j/algo-2', [5, 'from a second instance']);
    await until(events, 5);
    controller.abort();
    await done;
    assert.deepEqual(messages(events), [
      'first',
      'second',
      'third',
      'fourth',
      'from a second instance',
    ]);
  });

  it('follows until the job is done, then drains once more and ends', async () => {
    const group = new FakeLogGroup();
    group.append('j/algo-1', [1, 'training']);
    let checks = 0;
    const events = await collect(
      tailLogStreams(group.client().asLogs(), 'j/', {
        follow: true,
        pollIntervalMs: 5,
        isDone: async () => {
          checks++;
          if (checks === 2) {
            group.append('j/algo-1', [2, 'last line, written as the job ended']);
            return true;
          }
          return false;
        },
      }),
    );
    assert.deepEqual(messages(events), ['training', 'last line, written as the job ended']);
    assert.equal(checks, 2);
  });

  it('treats a missing log group as an empty log, and picks it up once it appears', async () => {
    const group = new FakeLogGroup();
    group.exists = false;
    assert.deepEqual(await collect(tailLogStreams(group.client().asLogs(), 'j/')), []);

    const controller = new AbortController();
    const events: LogEvent[] = [];
    const done = (async () => {
      for await (const event of tailLogStreams(group.client().asLogs(), 'j/', {
        follow: true,
        pollIntervalMs: 5,
        signal: controller.signal,
      }))
        events.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 30));
    group.exists = true;
    group.append('j/algo-1', [1, 'hello']);
    await until(events, 1);
    controller.abort();
    await done;
    assert.deepEqual(messages(events), ['hello']);
  });

  it('passes other errors on', async () => {
    const client = new StubClient({
      DescribeLogStreams: () => {
        throw awsError('AccessDeniedException', 'not allowed to logs:DescribeLogStreams');
      },
    });
    await assert.rejects(collect(tailLogStreams(client.asLogs(), 'j/')), /not allowed/);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { decideSkip, md5Range, sha256File } from '../../../src/core/s3/checksum';
import { backoffDelay, Limiter, sleep, withRetries } from '../../../src/core/s3/concurrency';
import { bareEtag, MiB, partRanges, partSizeFor, sameLayout } from '../../../src/core/s3/parts';
import { isRetryable } from '../../../src/core/s3/upload';

describe('transfer decisions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-transfer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('skips only an object with the same size and our sha256', () => {
    const local = { size: 10, sha256: 'ab'.repeat(32) };
    assert.deepEqual(decideSkip(local, undefined), { skip: false, reason: 'missing' });
    assert.equal(decideSkip(local, { size: 11, sha256: local.sha256 }).reason, 'different size');
    assert.equal(decideSkip(local, { size: 10 }).reason, 'no checksum');
    assert.equal(
      decideSkip(local, { size: 10, sha256: 'cd'.repeat(32) }).reason,
      'different checksum',
    );
    assert.deepEqual(decideSkip(local, { size: 10, sha256: 'AB'.repeat(32) }), {
      skip: true,
      reason: 'same size and sha256',
    });
  });

  it('hashes files and byte ranges like crypto does', async () => {
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const path = join(dir, 'data.bin');
    writeFileSync(path, data);
    assert.equal(await sha256File(path), createHash('sha256').update(data).digest('hex'));
    assert.equal(
      await md5Range(path, 1000, 50_000),
      createHash('md5').update(data.subarray(1000, 50_000)).digest('hex'),
    );
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(sha256File(path, aborted.signal), CancelledError);
  });

  it('cuts files into parts of the requested size, never below 5 MiB or above 10,000 parts', () => {
    assert.equal(partSizeFor(100 * MiB, 8 * MiB), 8 * MiB);
    assert.equal(partSizeFor(100 * MiB, 1 * MiB), 5 * MiB, 'S3 minimum');
    const huge = 200 * 1024 * MiB; // 200 GiB
    const size = partSizeFor(huge, 8 * MiB);
    assert.ok(Math.ceil(huge / size) <= 10_000);
    assert.equal(size % MiB, 0);
    const parts = partRanges(12 * MiB + 5, 5 * MiB);
    assert.deepEqual(
      parts.map((p) => [p.partNumber, p.start, p.end]),
      [
        [1, 0, 5 * MiB],
        [2, 5 * MiB, 10 * MiB],
        [3, 10 * MiB, 12 * MiB + 5],
      ],
    );
    assert.deepEqual(partRanges(0, 5 * MiB), [{ partNumber: 1, start: 0, end: 0 }]);
  });

  it('resumes only an upload cut the same way', () => {
    const layout = partRanges(12 * MiB, 5 * MiB);
    assert.ok(sameLayout([{ partNumber: 1, size: 5 * MiB, etag: 'x' }], layout));
    assert.ok(sameLayout([{ partNumber: 3, size: 2 * MiB, etag: 'x' }], layout));
    assert.ok(!sameLayout([{ partNumber: 1, size: 8 * MiB, etag: 'x' }], layout), 'other size');
    assert.ok(!sameLayout([{ partNumber: 4, size: 1, etag: 'x' }], layout), 'part beyond the end');
    assert.equal(bareEtag('"abc"'), 'abc');
  });

  it('retries with doubling, jittered delays and stops on errors retrying cannot fix', async () => {
    assert.equal(
      backoffDelay(1, 100, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, 100, () => 0),
      400,
    );
    assert.equal(
      backoffDelay(3, 100, () => 1),
      500,
    );
    assert.equal(
      backoffDelay(30, 100, () => 0),
      30_000,
      'capped',
    );

    let calls = 0;
    const delays: number[] = [];
    const value = await withRetries(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
        return 'ok';
      },
      { retries: 4, baseDelayMs: 1, onRetry: (_a, _e, d) => delays.push(d) },
    );
    assert.equal(value, 'ok');
    assert.equal(calls, 3);
    assert.equal(delays.length, 2);

    calls = 0;
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw new Error('always');
        },
        { retries: 2, baseDelayMs: 1 },
      ),
      /always/,
    );
    assert.equal(calls, 3, 'one try and two retries');

    calls = 0;
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw denied;
        },
        { retries: 5, baseDelayMs: 1, isRetryable },
      ),
      /denied/,
    );
    assert.equal(calls, 1);
  });

  it('classifies errors for retry', () => {
    const error = (name: string, status?: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    assert.ok(isRetryable(error('InternalError', 500)));
    assert.ok(isRetryable(error('SlowDown', 503)));
    assert.ok(isRetryable(error('RequestTimeout', 400)));
    assert.ok(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    assert.ok(!isRetryable(error('NoSuchUpload', 404)));
    assert.ok(!isRetryable(error('InvalidArgument', 400)));
    assert.ok(!isRetryable(error('AbortError')));
  });

  it('limits how many tasks run at once', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++active);
          await sleep(2);
          active--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.throws(() => new Limiter(0), RangeError);
  });

  it('sleep ends early with CancelledError when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(sleep(10_000, controller.signal), CancelledError);
    assert.ok(Date.now() - started < 2000);
  });
});

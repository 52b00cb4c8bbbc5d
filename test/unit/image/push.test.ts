import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { CancelledError, UserError } from '../../../src/core/errors';
import { readDockerStream, type DockerStreamEvent } from '../../../src/core/image/dockerStream';
import { pushFailure, PushProgress } from '../../../src/core/image/push';

describe('push progress', () => {
  it('aggregates layers: id -> current/total, finished layers count as sent', () => {
    const progress = new PushProgress();
    const events: DockerStreamEvent[] = [
      { status: 'The push refers to repository [127.0.0.1:5000/tfod/x]' },
      { status: 'Preparing', id: 'aaa', progressDetail: {} },
      { status: 'Preparing', id: 'bbb', progressDetail: {} },
      { status: 'Waiting', id: 'bbb', progressDetail: {} },
      { status: 'Pushing', id: 'aaa', progressDetail: { current: 512, total: 2048 } },
      { status: 'Layer already exists', id: 'bbb', progressDetail: {} },
    ];
    let snapshot = progress.snapshot();
    for (const event of events) snapshot = progress.update(event);
    assert.equal(snapshot.layers.length, 2);
    assert.equal(snapshot.layersDone, 1);
    assert.equal(snapshot.currentBytes, 512);
    assert.equal(snapshot.totalBytes, 2048);
    assert.equal(snapshot.status, 'bbb: Layer already exists');

    snapshot = progress.update({
      status: 'Pushing',
      id: 'aaa',
      progressDetail: { current: 1536, total: 2048 },
    });
    assert.equal(snapshot.currentBytes, 1536);
    snapshot = progress.update({ status: 'Pushed', id: 'aaa', progressDetail: {} });
    assert.equal(snapshot.layersDone, 2);
    assert.equal(snapshot.currentBytes, 2048, 'a pushed layer counts its whole size');
    snapshot = progress.update({ status: '7: digest: sha256:' + 'a'.repeat(64) + ' size: 528' });
    assert.equal(snapshot.layers.length, 2, 'the digest line is not a layer');
  });

  it('turns refused logins into "log in again"', () => {
    for (const message of [
      'unauthorized: authentication required',
      'no basic auth credentials',
      'denied: Your authorization token has expired. Reauthenticate and try again.',
    ]) {
      const error = pushFailure(message, 'h:5000', 'h:5000/x:1');
      assert.ok(error instanceof UserError);
      assert.match(error.toLine(), /refused the push.*Log in again/);
    }
    assert.match(
      pushFailure('name unknown: repository name not known to registry', 'h', 'h/x:1').toLine(),
      /does not exist.*Create the ECR repository/,
    );
    assert.match(
      pushFailure(
        'Get "https://h/v2/": dial tcp 1.2.3.4:443: connect: connection refused',
        'h',
        'h/x:1',
      ).toLine(),
      /cannot reach the registry h/,
    );
    assert.match(
      pushFailure('something odd', 'h', 'h/x:1').toLine(),
      /pushing h\/x:1 failed: something odd/,
    );
  });
});

describe('Docker JSON stream', () => {
  it('reads events split across chunks, and plain lines', async () => {
    const stream = new PassThrough();
    const seen: DockerStreamEvent[] = [];
    const done = readDockerStream(stream, (e) => seen.push(e));
    stream.write('{"stream":"Step 1/2 : FROM scratch\\n"}\n{"stat');
    stream.write('us":"Pushing","id":"a","progressDetail":{"current":1,"total":2}}\nnot json\n');
    stream.end('{"aux":{"ID":"sha256:abc"}}');
    await done;
    assert.deepEqual(seen, [
      { stream: 'Step 1/2 : FROM scratch\n' },
      { status: 'Pushing', id: 'a', progressDetail: { current: 1, total: 2 } },
      { stream: 'not json\n' },
      { aux: { ID: 'sha256:abc' } },
    ]);
  });

  it('rejects with CancelledError and destroys the stream when aborted', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const done = readDockerStream(stream, () => undefined, controller.signal);
    stream.write('{"status":"Pushing"}\n');
    controller.abort();
    await assert.rejects(done, CancelledError);
    assert.ok(stream.destroyed);
  });
});

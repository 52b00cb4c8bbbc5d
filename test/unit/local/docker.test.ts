import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  DockerLogDecoder,
  decodeDockerLog,
  formatLogLine,
  parseTimestampedLine,
} from '../../../src/core/local/containerLogs';
import {
  engineHasGpu,
  explainDockerError,
  gpuDeviceRequests,
  isGpuImage,
} from '../../../src/core/local/docker';

/** One frame of Docker's multiplexed log stream: [stream, 0, 0, 0, size (BE32)] + bytes. */
function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('GPUs for the local target', () => {
  it('takes GPU and CPU tags from the image name', () => {
    for (const image of ['tfod:2.9.1-gpu', 'tfod:1.15.0-gpu-py3', 'x/tfod:gpu', 'tfod:latest-gpu'])
      assert.ok(isGpuImage(image), image);
    for (const image of ['tfod:2.9.1', 'tfod:1.15.0-py3', 'tfod', 'gpu/tfod:cpu', 'tfod:gpuless'])
      assert.ok(!isGpuImage(image), image);
  });

  it('asks for every GPU when the image wants them and the engine has the NVIDIA runtime', () => {
    const info = { Runtimes: { runc: {}, nvidia: { path: 'nvidia-container-runtime' } } };
    assert.ok(engineHasGpu(info));
    assert.deepEqual(gpuDeviceRequests('tfod:2.9.1-gpu', info), [
      { Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} },
    ]);
    assert.deepEqual(gpuDeviceRequests('tfod:2.9.1', info), []);
    assert.deepEqual(gpuDeviceRequests('tfod:2.9.1', { Runtimes: { runc: {} } }), []);
  });

  it('refuses a GPU image on an engine without GPUs and names both fixes', () => {
    assert.throws(
      () =>
        gpuDeviceRequests(
          'tfod:2.9.1-gpu',
          { Runtimes: { runc: {} } },
          'unix:///var/run/docker.sock',
        ),
      (error: unknown) =>
        error instanceof UserError &&
        /'tfod:2\.9\.1-gpu' is a GPU build, but the Docker engine at unix:\/\/\/var\/run\/docker\.sock has no NVIDIA runtime/.test(
          error.message,
        ) &&
        /Use the CPU image \(.*'2\.9\.1'/.test(error.fix ?? '') &&
        /NVIDIA Container Toolkit/.test(error.fix ?? ''),
    );
  });
});

describe("Docker's errors in the user's words", () => {
  it('no engine, a missing image, a folder Docker may not mount', () => {
    const refused = explainDockerError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    assert.ok(
      refused instanceof UserError && /cannot reach the Docker engine/.test(refused.message),
    );
    const missing = explainDockerError(
      { statusCode: 404, json: { message: 'No such image: tfod:9' } },
      'tfod:9',
    );
    assert.ok(
      missing instanceof UserError &&
        /'tfod:9' is not on this machine's Docker engine/.test(missing.message),
    );
    const denied = explainDockerError({
      statusCode: 400,
      json: {
        message: 'invalid mount config for type "bind": bind source path does not exist: /x',
      },
    });
    assert.ok(denied instanceof UserError && /cannot mount a folder/.test(denied.message));
    const other = new Error('boom');
    assert.equal(explainDockerError(other), other, 'a bug stays a bug');
  });
});

describe('container logs', () => {
  it('splits frames cut anywhere into timestamped lines, stdout and stderr alike', () => {
    const data = Buffer.concat([
      frame(1, '2024-01-31T12:00:00.123456789Z first line\n'),
      frame(2, '2024-01-31T12:00:01.5Z [tfod] training failed: x\n'),
      frame(1, '2024-01-31T12:00:02.000000000Z #metric step=100 total_loss=0.5\n'),
    ]);
    const decoder = new DockerLogDecoder('job/algo-1');
    const events = [];
    for (let i = 0; i < data.length; i += 5) events.push(...decoder.push(data.subarray(i, i + 5)));
    events.push(...decoder.end());
    assert.deepEqual(events, [
      {
        timestamp: Date.parse('2024-01-31T12:00:00.123Z'),
        message: 'first line',
        stream: 'job/algo-1',
      },
      {
        timestamp: Date.parse('2024-01-31T12:00:01.500Z'),
        message: '[tfod] training failed: x',
        stream: 'job/algo-1',
      },
      {
        timestamp: Date.parse('2024-01-31T12:00:02Z'),
        message: '#metric step=100 total_loss=0.5',
        stream: 'job/algo-1',
      },
    ]);
  });

  it('keeps a last line without a newline, and text without timestamps', () => {
    const events = decodeDockerLog(Buffer.concat([frame(1, 'no time\npartial')]), 's');
    assert.deepEqual(
      events.map((e) => [e.timestamp, e.message]),
      [
        [0, 'no time'],
        [0, 'partial'],
      ],
    );
  });

  it('train.log lines read back as they were written', () => {
    const event = {
      timestamp: Date.parse('2024-01-31T12:00:00.250Z'),
      message: '  indented #metric',
    };
    assert.equal(formatLogLine(event), '2024-01-31T12:00:00.250Z   indented #metric');
    assert.deepEqual(parseTimestampedLine(formatLogLine(event)), event);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkContentType,
  HttpError,
  parseInvocation,
  servingSettings,
  visibleGpus,
} from '../../../src/detection/server';

function refused(fn: () => unknown, status: number, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.match(error.message, pattern);
    return true;
  });
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('checkContentType', () => {
  it('takes JSON and the image types, with parameters and in any case', () => {
    assert.equal(checkContentType('application/json'), 'json');
    assert.equal(checkContentType('Application/JSON; charset=utf-8'), 'json');
    assert.equal(checkContentType('image/jpeg'), 'image');
    assert.equal(checkContentType('image/png'), 'image');
    assert.equal(checkContentType('application/x-image'), 'image');
  });

  it('refuses anything else with 415 and says what to send', () => {
    refused(
      () => checkContentType('text/plain'),
      415,
      /text\/plain is not supported; send application\/json/,
    );
    refused(() => checkContentType(undefined), 415, /no Content-Type/);
    refused(() => checkContentType('multipart/form-data; boundary=x'), 415, /multipart\/form-data/);
  });
});

describe('parseInvocation', () => {
  it("decodes the seed's JSON request", () => {
    const invocation = parseInvocation(
      'json',
      json({ image: PNG_MAGIC.toString('base64'), threshold: 0.3 }),
    );
    assert.deepEqual(Buffer.from(invocation.image), PNG_MAGIC);
    assert.equal(invocation.threshold, 0.3);
  });

  it('accepts a data: URL, line breaks, unpadded and URL-safe base64', () => {
    const b64 = PNG_MAGIC.toString('base64');
    for (const image of [
      `data:image/png;base64,${b64}`,
      `${b64.slice(0, 4)}\n${b64.slice(4)}`,
      b64.replace(/=+$/, ''),
      PNG_MAGIC.toString('base64url'),
    ])
      assert.deepEqual(
        Buffer.from(parseInvocation('json', json({ image })).image),
        PNG_MAGIC,
        image,
      );
  });

  it('takes the raw body as the image, with a CustomAttributes threshold', () => {
    const invocation = parseInvocation('image', PNG_MAGIC, 'foo=bar; threshold=0.25');
    assert.equal(invocation.threshold, 0.25);
    assert.equal(invocation.image, PNG_MAGIC);
    assert.equal(parseInvocation('image', PNG_MAGIC).threshold, undefined);
  });

  it('accepts a threshold given as a numeric string, and null as none', () => {
    assert.equal(parseInvocation('json', json({ image: 'AAAA', threshold: '0.7' })).threshold, 0.7);
    assert.equal(
      parseInvocation('json', json({ image: 'AAAA', threshold: null })).threshold,
      undefined,
    );
  });

  it('says what is wrong with a malformed request', () => {
    refused(() => parseInvocation('json', Buffer.from('{"image": ')), 400, /not valid JSON/);
    refused(() => parseInvocation('json', Buffer.from('')), 400, /not valid JSON/);
    refused(() => parseInvocation('json', json([1, 2])), 400, /must be an object/);
    refused(() => parseInvocation('json', json('AAAA')), 400, /must be an object/);
    refused(() => parseInvocation('json', json({ img: 'AAAA' })), 400, /no "image" field/);
    refused(
      () => parseInvocation('json', json({ image: 42 })),
      400,
      /"image" must be a base64 string, not 42/,
    );
    refused(() => parseInvocation('json', json({ image: '' })), 400, /"image" is empty/);
    refused(
      () => parseInvocation('json', json({ image: 'not base64!' })),
      400,
      /"image" is not base64/,
    );
    refused(() => parseInvocation('json', json({ image: 'AAAAA' })), 400, /not valid base64/);
    refused(
      () => parseInvocation('json', json({ image: 'AAAA', threshold: 2 })),
      400,
      /"threshold" must be a number from 0 to 1, not 2/,
    );
    refused(
      () => parseInvocation('json', json({ image: 'AAAA', threshold: 'high' })),
      400,
      /"threshold"/,
    );
    refused(() => parseInvocation('image', Buffer.alloc(0)), 400, /body is empty/);
    refused(
      () => parseInvocation('image', PNG_MAGIC, 'threshold=-1'),
      400,
      /CustomAttributes threshold/,
    );
  });
});

describe('servingSettings', () => {
  const cpuHost = { cpus: 8, gpus: [] };
  const gpuHost = { cpus: 32, gpus: ['0', '1', '2', '3'] };

  it("uses SageMaker's defaults", () => {
    const settings = servingSettings({}, {}, { workers: 3 }, cpuHost);
    assert.deepEqual(settings, {
      modelDir: '/opt/ml/model',
      port: 8080,
      host: '0.0.0.0',
      workers: 3,
      timeoutMs: 60_000,
      gpus: [],
    });
    assert.ok(servingSettings({}).workers >= 1);
  });

  it("reads the hosting contract's environment", () => {
    const settings = servingSettings(
      {
        SM_MODEL_DIR: '/models/x',
        SAGEMAKER_BIND_TO_PORT: '9090',
        MODEL_SERVER_WORKERS: '2',
        MODEL_SERVER_TIMEOUT: '1.5',
      },
      {},
      {},
      cpuHost,
    );
    assert.deepEqual(settings, {
      modelDir: '/models/x',
      port: 9090,
      host: '0.0.0.0',
      workers: 2,
      timeoutMs: 1500,
      gpus: [],
    });
  });

  it('defaults to one worker per CPU on a CPU host and one per GPU on a GPU host', () => {
    assert.equal(servingSettings({}, {}, {}, cpuHost).workers, 8);
    const gpu = servingSettings({}, {}, {}, gpuHost);
    assert.equal(gpu.workers, 4);
    assert.deepEqual(gpu.gpus, ['0', '1', '2', '3']);
  });

  it('honours MODEL_SERVER_WORKERS over any default, and --workers over it', () => {
    const env = { MODEL_SERVER_WORKERS: '3' };
    assert.equal(servingSettings(env, {}, {}, gpuHost).workers, 3);
    // `tfod serve`'s own default (one worker) gives way to the variable too.
    assert.equal(servingSettings(env, {}, { workers: 1 }, cpuHost).workers, 3);
    assert.equal(servingSettings(env, { workers: '2' }, { workers: 1 }, cpuHost).workers, 2);
    assert.equal(servingSettings({}, {}, { workers: 1 }, cpuHost).workers, 1);
  });

  it('lets the command line win over the environment', () => {
    const settings = servingSettings(
      { SAGEMAKER_BIND_TO_PORT: '9090', SM_MODEL_DIR: '/a' },
      { port: '0', modelDir: '/b', host: '127.0.0.1' },
    );
    assert.equal(settings.port, 0);
    assert.equal(settings.modelDir, '/b');
    assert.equal(settings.host, '127.0.0.1');
  });

  it('names the setting that is wrong', () => {
    assert.throws(
      () => servingSettings({ MODEL_SERVER_WORKERS: 'many' }),
      /MODEL_SERVER_WORKERS=many must be a whole number/,
    );
    assert.throws(() => servingSettings({ MODEL_SERVER_WORKERS: '0' }), /MODEL_SERVER_WORKERS/);
    assert.throws(() => servingSettings({ MODEL_SERVER_TIMEOUT: '-5' }), /MODEL_SERVER_TIMEOUT=-5/);
    assert.throws(
      () => servingSettings({ SAGEMAKER_BIND_TO_PORT: '70000' }),
      /SAGEMAKER_BIND_TO_PORT/,
    );
    assert.throws(() => servingSettings({}, { port: 'x' }), /--port=x/);
  });
});

describe('visibleGpus', () => {
  const driver = (count: number) => () =>
    Array.from({ length: count }, (_, i) => `0000:0${i}:00.0`);

  it("counts the driver's GPUs when CUDA_VISIBLE_DEVICES is not set", () => {
    assert.deepEqual(visibleGpus({}, driver(2)), ['0', '1']);
    assert.deepEqual(visibleGpus({}, driver(0)), []);
  });

  it('takes CUDA_VISIBLE_DEVICES as CUDA does: in order, up to the first invalid id', () => {
    assert.deepEqual(visibleGpus({ CUDA_VISIBLE_DEVICES: '2,3' }, driver(4)), ['2', '3']);
    assert.deepEqual(visibleGpus({ CUDA_VISIBLE_DEVICES: '1,-1,0' }, driver(4)), ['1']);
    assert.deepEqual(visibleGpus({ CUDA_VISIBLE_DEVICES: '' }, driver(4)), []);
    assert.deepEqual(visibleGpus({ CUDA_VISIBLE_DEVICES: '-1' }, driver(4)), []);
  });
});

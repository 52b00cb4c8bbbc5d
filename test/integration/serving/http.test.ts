// The SageMaker hosting contract in-process, over loopback HTTP, on the real COCO SSD model and
// real photos (test/harness/fixtures.sh), through the real inference worker process: correct
// detections through /invocations, every kind of malformed request answered with a 4xx that
// says what is wrong, images that cost far more than they weigh refused, /ping answered while
// the worker is busy with large photos, and a bounded load test.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { decodeImage, type RgbaImage } from '../../../src/detection';
import { createServingApp, type ServingApp } from '../../../src/detection/server';
import {
  blackPng,
  deflateZeros,
  jpegClaiming,
  jpegHeader,
  manyScanJpeg,
} from '../../unit/detection/bombs';
import { call, ping, postImage, postJson, serverTiming, type Answer } from './client';
import { COCO, fixtures } from './fixtures';

let app: ServingApp;
let base: string;
let chelseaJpeg: Buffer;

before(async () => {
  app = createServingApp({ modelDir: fixtures().modelDir, backend: 'wasm' });
  const address = await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
  const png = decodeImage(fixtures().photo('chelsea'));
  chelseaJpeg = jpeg.encode({ ...png, data: Buffer.from(png.data) }, 90).data;
  await app.ready;
});

after(async () => {
  await app?.close();
});

/** `image` scaled to `width` x `height` by nearest neighbour. */
function upscale(image: RgbaImage, width: number, height: number): RgbaImage {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * image.height) / height) * image.width;
    for (let x = 0; x < width; x++) {
      const from = 4 * (row + Math.floor((x * image.width) / width));
      data.set(image.data.subarray(from, from + 4), 4 * (y * width + x));
    }
  }
  return { width, height, data };
}

function topClass(answer: Answer): number | undefined {
  assert.equal(answer.status, 200, `expected 200, got ${answer.status}: ${answer.body.error}`);
  assert.ok(Array.isArray(answer.body.prediction));
  for (const p of answer.body.prediction) assert.equal(p.length, 6);
  return answer.body.prediction[0]?.[0];
}

describe('POST /invocations on the real model', () => {
  it('answers GET /ping with 200 once the model is loaded', async () => {
    assert.equal((await ping(base)).status, 200);
  });

  const cases = [
    ['chelsea', COCO.cat],
    ['astronaut', COCO.person],
    ['coffee', COCO.cup],
    ['motorcycle_left', COCO.motorcycle],
  ] as const;

  for (const [photo, classId] of cases) {
    it(`finds class ${classId} on ${photo} from the seed's JSON request`, async () => {
      const answer = await postJson(base, { image: fixtures().photo(photo).toString('base64') });
      assert.equal(topClass(answer), classId);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
    });

    it(`finds class ${classId} on ${photo} from a raw image/png body`, async () => {
      assert.equal(topClass(await postImage(base, fixtures().photo(photo))), classId);
    });
  }

  it('takes a raw image/jpeg body', async () => {
    assert.equal(topClass(await postImage(base, chelseaJpeg, 'image/jpeg')), COCO.cat);
  });

  it("takes application/x-image, as SageMaker's built-in detectors do", async () => {
    assert.equal(topClass(await postImage(base, chelseaJpeg, 'application/x-image')), COCO.cat);
  });

  it("honours the request's threshold (JSON field or CustomAttributes header)", async () => {
    const image = fixtures().photo('coffee');
    const all = await postJson(base, { image: image.toString('base64'), threshold: 0.5 });
    const strict = await postJson(base, { image: image.toString('base64'), threshold: 0.9 });
    const header = await postImage(base, image, 'image/png', {
      'x-amzn-sagemaker-custom-attributes': 'threshold=0.9',
    });
    assert.deepEqual(
      all.body.prediction?.map((p) => p[0]),
      [COCO.cup, COCO.diningTable],
    );
    assert.deepEqual(
      strict.body.prediction?.map((p) => p[0]),
      [COCO.cup],
    );
    assert.deepEqual(
      header.body.prediction?.map((p) => p[0]),
      [COCO.cup],
    );
  });

  it('says where the time went in Server-Timing: the queue, decoding, detection and the total', async () => {
    const answer = await postImage(base, fixtures().photo('astronaut'));
    assert.equal(topClass(answer), COCO.person);
    const timing = serverTiming(answer);
    assert.deepEqual(Object.keys(timing), ['queue', 'decode', 'detect', 'total']);
    // A 512 x 512 PNG takes the real worker measurable time to inflate and to run the model on.
    assert.ok(timing.decode! > 0 && timing.detect! > 0, JSON.stringify(timing));
    // The total is the server's own clock from the request's arrival to its answer, so it holds
    // the rest (each rounded to 0.1 ms).
    assert.ok(
      timing.total! + 0.2 >= timing.queue! + timing.decode! + timing.detect!,
      JSON.stringify(timing),
    );
  });

  it('returns normalised boxes sorted by confidence', async () => {
    const answer = await postJson(base, {
      image: fixtures().photo('coffee').toString('base64'),
      threshold: 0.1,
    });
    const prediction = answer.body.prediction!;
    assert.ok(prediction.length >= 2);
    for (let i = 1; i < prediction.length; i++)
      assert.ok(prediction[i - 1]![1]! >= prediction[i]![1]!);
    for (const [, , ...box] of prediction) for (const v of box) assert.ok(v >= 0 && v <= 1);
  });
});

describe('malformed requests get a 4xx JSON error that says what is wrong', () => {
  const png = () => fixtures().photo('chelsea');
  const truncatedJpeg = () => chelseaJpeg.subarray(0, Math.floor(chelseaJpeg.length / 2));
  const cases: [string, () => Promise<Answer>, number, RegExp][] = [
    ['bad JSON', () => postJson(base, '{"image": "abc'), 400, /not valid JSON/],
    ['a JSON array', () => postJson(base, [1, 2]), 400, /must be an object/],
    ['no image field', () => postJson(base, { picture: 'AAAA' }), 400, /no "image" field/],
    [
      'image not a string',
      () => postJson(base, { image: 12 }),
      400,
      /"image" must be a base64 string/,
    ],
    ['empty image', () => postJson(base, { image: '' }), 400, /"image" is empty/],
    ['image not base64', () => postJson(base, { image: '%%% not base64 %%%' }), 400, /not base64/],
    [
      'base64 of text',
      () => postJson(base, { image: Buffer.from('hello world').toString('base64') }),
      400,
      /not a JPEG or PNG image/,
    ],
    [
      'base64 of a truncated JPEG',
      () => postJson(base, { image: truncatedJpeg().toString('base64') }),
      400,
      /truncated JPEG/,
    ],
    [
      'a raw truncated JPEG',
      () => postImage(base, truncatedJpeg(), 'image/jpeg'),
      400,
      /truncated JPEG/,
    ],
    ['a raw truncated PNG', () => postImage(base, png().subarray(0, 5000)), 400, /truncated PNG/],
    [
      'a GIF',
      () => postImage(base, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00'), 'image/png'),
      400,
      /GIF images are not supported/,
    ],
    ['an empty raw body', () => postImage(base, Buffer.alloc(0)), 400, /body is empty/],
    [
      'a threshold out of range',
      () => postJson(base, { image: png().toString('base64'), threshold: 7 }),
      400,
      /"threshold" must be a number from 0 to 1/,
    ],
    [
      'a wrong content type',
      () => call(base, 'POST', '/invocations', png(), { 'content-type': 'text/plain' }),
      415,
      /text\/plain is not supported/,
    ],
    ['no content type', () => call(base, 'POST', '/invocations', png()), 415, /no Content-Type/],
    ['GET /invocations', () => call(base, 'GET', '/invocations'), 405, /use POST/],
    [
      'POST /ping',
      () => call(base, 'POST', '/ping', '{}', { 'content-type': 'application/json' }),
      405,
      /use GET/,
    ],
    ['an unknown path', () => call(base, 'GET', '/predict'), 404, /no such endpoint: \/predict/],
  ];

  for (const [what, send, status, message] of cases)
    it(`${what}: ${status}, and the server keeps serving`, async () => {
      const answer = await send();
      assert.equal(answer.status, status, `got ${answer.status}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.error ?? '', message);
      // Only an image answered with detections says where its time went.
      assert.equal(answer.headers['server-timing'], undefined);
      assert.equal((await ping(base)).status, 200);
    });

  it('a body over 6 MB: 413 from its Content-Length', async () => {
    const answer = await postImage(base, Buffer.alloc(6 * 1024 * 1024 + 1));
    assert.equal(answer.status, 413);
    assert.match(answer.body.error ?? '', /over the 6.0 MB limit/);
    assert.equal((await ping(base)).status, 200);
  });

  it('a chunked body that grows over 6 MB: 413', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${base}/invocations`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString()),
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 'A');
      for (let i = 0; i < 7; i++) req.write(chunk);
      req.end();
    });
    assert.equal(answer.status, 413);
    assert.match(answer.body.error ?? '', /over the 6.0 MB limit/);
    assert.equal((await ping(base)).status, 200);
  });

  it('a request that is not HTTP: 400, and the server keeps serving', async () => {
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () =>
        socket.write('HELLO THERE\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.match(reply, /\r\n\r\n\{"error":"the request is not valid HTTP\/1\.1/);
    assert.equal((await ping(base)).status, 200);
  });
});

describe('images that cost far more than they weigh: a 413 in JSON, and the server keeps serving', () => {
  const cases: [string, () => Buffer, number, RegExp][] = [
    [
      'the 261 KB PNG of 1 x 67,108,864 pixels',
      () => blackPng(1, 67_108_864),
      413,
      /1 x 67108864 pixels; the limit is 16384 pixels a side/,
    ],
    [
      'the 196 KB PNG of 8192 x 8192 pixels',
      () => blackPng(8192, 8192),
      413,
      /8192 x 8192 pixels, 67\.1 megapixels/,
    ],
    [
      'a JPEG whose header claims 8000 x 8000 pixels',
      () => jpegClaiming(8000, 8000),
      413,
      /8000 x 8000 pixels/,
    ],
    [
      'a JPEG of four full-size components',
      () => jpegHeader(4000, 4000, { components: 4 }),
      413,
      /needs about \d+ MB to decode .* over the 768 MB limit/,
    ],
    [
      'a progressive JPEG of 101 scans (refused by the worker)',
      () => manyScanJpeg(101),
      413,
      /more than 100 scans/,
    ],
    [
      'an interlaced PNG whose data inflates past its pixels (refused by the worker)',
      () => blackPng(1, 1, { interlaced: true, idat: deflateZeros(10 * 1024 * 1024) }),
      400,
      /inflates to more than its 1 x 1 pixels need/,
    ],
  ];
  for (const [what, bomb, status, message] of cases)
    it(`${what}: ${status}`, async () => {
      const body = bomb();
      for (const answer of [
        await postImage(base, body),
        await postJson(base, { image: body.toString('base64') }),
      ]) {
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        assert.match(answer.body.error ?? '', message);
      }
      assert.equal((await ping(base)).status, 200);
      assert.equal(topClass(await postImage(base, chelseaJpeg, 'image/jpeg')), COCO.cat);
    });
});

describe('/ping while the worker is busy', () => {
  it('keeps answering while four clients keep the only worker busy with 12-megapixel photos', async (t) => {
    const photo = upscale(decodeImage(fixtures().photo('chelsea')), 4000, 3000);
    const large = Buffer.from(jpeg.encode({ ...photo, data: Buffer.from(photo.data) }, 90).data);
    const started = performance.now();
    let done = false;
    let firstAnswered = Infinity;
    const images = Promise.all(
      [1, 2, 3, 4].map(() =>
        postImage(base, large, 'image/jpeg').then((answer) => {
          firstAnswered = Math.min(firstAnswered, performance.now());
          return answer;
        }),
      ),
    ).finally(() => (done = true));
    const latencies: number[] = [];
    let beforeFirstImage = 0;
    while (!done) {
      const sent = performance.now();
      assert.equal((await ping(base)).status, 200);
      const answered = performance.now();
      latencies.push(answered - sent);
      if (answered < firstAnswered) beforeFirstImage++;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const answer of await images) assert.equal(topClass(answer), COCO.cat);
    const slowest = Math.max(...latencies);
    t.diagnostic(
      `4 images of 4000 x 3000 in ${((performance.now() - started) / 1000).toFixed(1)} s; ${latencies.length} pings, slowest ${slowest.toFixed(0)} ms`,
    );
    // SageMaker's contract is 2 s. With decoding and inference on the server's own event loop,
    // a ping waited behind them for seconds; answered by the HTTP process, it takes milliseconds.
    // Measured against the images of the same run, not the clock (2 noisy cores): pings keep
    // being answered while the first image is still running, and the slowest takes a small
    // fraction of the time one image takes.
    assert.ok(latencies.length >= 10, `${latencies.length} pings`);
    assert.ok(beforeFirstImage >= 3, `${beforeFirstImage} pings answered before the first image`);
    const firstImageMs = firstAnswered - started;
    assert.ok(
      slowest < firstImageMs / 4,
      `slowest /ping ${slowest.toFixed(0)} ms against ${firstImageMs.toFixed(0)} ms for the first image`,
    );
  });
});

describe('a bounded load test on loopback', () => {
  it('serves concurrent clients with bad requests mixed in: zero 5xx, right answers, nothing left in flight', async (t) => {
    const coffee = fixtures().photo('coffee');
    const requests: [string, () => Promise<Answer>, (a: Answer) => void][] = [
      [
        'json cat',
        () => postJson(base, { image: chelseaJpeg.toString('base64') }),
        (a) => assert.equal(topClass(a), COCO.cat),
      ],
      ['raw cup', () => postImage(base, coffee), (a) => assert.equal(topClass(a), COCO.cup)],
      ['bad json', () => postJson(base, '{'), (a) => assert.equal(a.status, 400)],
      [
        'truncated',
        () => postImage(base, chelseaJpeg.subarray(0, 3000), 'image/jpeg'),
        (a) => assert.equal(a.status, 400),
      ],
      ['wrong type', () => postImage(base, coffee, 'text/csv'), (a) => assert.equal(a.status, 415)],
      ['ping', () => ping(base), (a) => assert.equal(a.status, 200)],
    ];
    const clients = 8;
    const perClient = 12;
    const statuses = new Map<number, number>();
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = 0; i < perClient; i++) {
          const [, send, check] = requests[(client + i) % requests.length]!;
          const t0 = performance.now();
          const answer = await send();
          latencies.push(performance.now() - t0);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          check(answer);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    t.diagnostic(
      `${clients * perClient} requests from ${clients} clients in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms, max ${latencies[latencies.length - 1]!.toFixed(0)} ms`,
    );
    assert.ok(
      ![...statuses.keys()].some((s) => s >= 500),
      `5xx seen: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.equal((await ping(base)).status, 200);
    assert.equal(app.inFlight, 0);
  });
});

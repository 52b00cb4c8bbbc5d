import assert from 'node:assert/strict';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG as PNGImage } from 'pngjs';
import {
  checkImageHeader,
  decodeImage,
  ImageDecodeError,
  ImageTooLargeError,
  MAX_DECODE_BYTES,
  MAX_IMAGE_PIXELS,
} from '../../../src/detection';
import { checkContentType, HttpError, parseInvocation } from '../../../src/detection/server';
import { readBody } from '../../../src/detection/server/body';
import { seededRandom } from '../prng';
import { blackPng } from './bombs';

// The request side of POST /invocations under seeded random input: bodies mutated from valid
// requests and plain noise, content types and CustomAttributes headers. Each case ends in a
// valid invocation or an HttpError with a 4xx status and a message; never another error.

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'image/png',
  'image/jpeg',
  'application/x-image',
  'text/plain',
  '',
  undefined,
  'application/JSON ; q=1',
  '\u0000',
];

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

function mutate(random: () => number, text: string): string {
  const chars = [...text];
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits && chars.length > 0; i++) {
    const at = Math.floor(random() * chars.length);
    const pick = random();
    if (pick < 0.3) chars.splice(at, 1);
    else if (pick < 0.6)
      chars.splice(at, 0, '{}[]",:=\\ \u0000\u2028-_+/'[Math.floor(random() * 17)] as string);
    else chars[at] = String.fromCharCode(Math.floor(random() * 0x3000));
  }
  return chars.join('');
}

function expectInvocationOrRefusal(
  run: () => ReturnType<typeof parseInvocation>,
  what: string,
): 'taken' | 'refused' {
  let result;
  try {
    result = run();
  } catch (error) {
    assert.ok(error instanceof HttpError, `${what}: ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500, `${what}: status ${error.status}`);
    assert.ok(error.message.length > 10 && error.message.length < 500, `${what}: ${error.message}`);
    return 'refused';
  }
  assert.ok(result.image instanceof Uint8Array && result.image.length > 0, what);
  if (result.threshold !== undefined)
    assert.ok(result.threshold >= 0 && result.threshold <= 1, `${what}: ${result.threshold}`);
  return 'taken';
}

describe('fuzz: the /invocations request', () => {
  it('turns 3,000 seeded requests into an invocation or a 4xx refusal', () => {
    const random = seededRandom(1204);
    const base64 = PNG.toString('base64');
    const valid = [
      JSON.stringify({ image: base64 }),
      JSON.stringify({ image: base64, threshold: 0.4 }),
      JSON.stringify({ image: `data:image/png;base64,${base64}`, threshold: '0.2' }),
    ];
    const outcomes = { taken: 0, refused: 0 };
    for (let round = 0; round < 3000; round++) {
      const contentType = CONTENT_TYPES[Math.floor(random() * CONTENT_TYPES.length)];
      const attributes = random() < 0.3 ? mutate(random, 'threshold=0.5;x=1') : undefined;
      const shape = random();
      const body =
        shape < 0.6
          ? Buffer.from(mutate(random, valid[Math.floor(random() * valid.length)] as string))
          : shape < 0.8
            ? randomBytes(random, Math.floor(random() * 64))
            : Buffer.from(
                JSON.stringify(
                  JSON.parse('[1, {"image": 2}, null, "x", true]')[Math.floor(random() * 5)],
                ),
              );
      const what = `round ${round} (${String(contentType)})`;
      outcomes[
        expectInvocationOrRefusal(
          () => parseInvocation(checkContentType(contentType), body, attributes),
          what,
        )
      ]++;
    }
    // Both ways out were exercised, many times.
    assert.ok(outcomes.taken >= 100 && outcomes.refused >= 1000, JSON.stringify(outcomes));
  });
});

describe('fuzz: image headers and decoding', () => {
  it('turns 2,000 mutated JPEG and PNG files into pixels or an ImageDecodeError', (t) => {
    const random = seededRandom(1404);
    const gradient = (width: number, height: number) =>
      Buffer.from(Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256));
    const png = new PNGImage({ width: 24, height: 16 });
    png.data = gradient(24, 16);
    const seeds = [
      Buffer.from(PNGImage.sync.write(png)),
      Buffer.from(jpeg.encode({ width: 24, height: 16, data: gradient(24, 16) }, 80).data),
      blackPng(40, 30, { colourType: 0 }),
      blackPng(1, 1, { interlaced: true }),
    ];
    const outcomes = { decoded: 0, refused: 0, tooLarge: 0, weighedOnly: 0 };
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(seeds[round % seeds.length]!);
      // Mutations land in the header most of the time: that is what the limits read.
      const edits = 1 + Math.floor(random() * 4);
      for (let i = 0; i < edits; i++) {
        const at = Math.floor(
          random() * Math.min(bytes.length, random() < 0.7 ? 40 : bytes.length),
        );
        bytes[at] = Math.floor(random() * 256);
      }
      const cut = random() < 0.2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      try {
        const header = checkImageHeader(cut);
        assert.ok(header.width * header.height <= MAX_IMAGE_PIXELS, `round ${round}`);
        assert.ok(header.decodeBytes <= MAX_DECODE_BYTES, `round ${round}`);
        // Decoding what the header allows is bounded, but a megapixel or more takes a while.
        if (header.width * header.height > 1_000_000) {
          outcomes.weighedOnly++;
          continue;
        }
        const image = decodeImage(cut);
        assert.equal(image.data.length, image.width * image.height * 4, `round ${round}`);
        outcomes.decoded++;
      } catch (error) {
        assert.ok(error instanceof ImageDecodeError, `round ${round}: ${String(error)}`);
        assert.ok(error.message.length > 10 && error.message.length < 400, error.message);
        outcomes[error instanceof ImageTooLargeError ? 'tooLarge' : 'refused']++;
      }
    }
    t.diagnostic(JSON.stringify(outcomes));
    assert.ok(
      outcomes.decoded >= 100 && outcomes.refused >= 100 && outcomes.tooLarge >= 10,
      JSON.stringify(outcomes),
    );
  });
});

describe('fuzz: reading request bodies over HTTP', () => {
  let server: Server;
  let port: number;
  const limit = 4096;
  before(async () => {
    server = createServer((req, res) => {
      readBody(req, limit).then(
        (body) => res.end(JSON.stringify({ read: body.length })),
        (error: unknown) => {
          res.statusCode = error instanceof HttpError ? error.status : 500;
          res.end(JSON.stringify({ error: String(error) }));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('reads every body up to the limit and refuses every larger one with 413, in any chunking', async () => {
    const random = seededRandom(2026);
    for (let round = 0; round < 60; round++) {
      const size = Math.floor(random() * limit * 2);
      const body = randomBytes(random, size);
      const declare = random() < 0.5;
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/invocations',
            headers: declare ? { 'content-length': size } : { 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        // Random chunk sizes, as slow and fast clients send them.
        let offset = 0;
        while (offset < body.length) {
          const step = 1 + Math.floor(random() * 1500);
          req.write(body.subarray(offset, offset + step));
          offset += step;
        }
        req.end();
      });
      const what = `round ${round}: ${size} bytes, ${declare ? 'Content-Length' : 'chunked'}`;
      if (size <= limit) {
        assert.equal(answer.status, 200, `${what}: ${answer.text}`);
        assert.deepEqual(JSON.parse(answer.text), { read: size });
      } else {
        assert.equal(answer.status, 413, `${what}: ${answer.text}`);
      }
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import type { InvokeResult, Target } from '../../../src/core/jobs';
import { encodePng, type RgbaImage } from '../../../src/detection';
import {
  decodeForPreview,
  downscale,
  endpointRequest,
  labelMapNames,
  loadInProcessModel,
  parsePredictionResponse,
  responseReason,
  sagemakerSource,
  urlSource,
} from '../../../src/core/preview/sources';

function noise(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = i % 4 === 3 ? 255 : seed & 0xff;
  }
  return { width, height, data };
}

const never = new AbortController().signal;

describe('preview sources: requests to endpoints', () => {
  it('sends a small image as it is, in the seed JSON with the preview floor', () => {
    const image = noise(8, 6);
    const bytes = encodePng(image);
    const { body, note } = endpointRequest(bytes, image);
    assert.equal(note, undefined);
    const json = JSON.parse(body) as { image: string; threshold: number };
    assert.deepEqual(Buffer.from(json.image, 'base64'), Buffer.from(bytes));
    assert.equal(json.threshold, 0.05);
  });

  it('downscales an image over the limit until the request fits, and says so', () => {
    const image = noise(300, 200);
    const bytes = encodePng(image);
    const limit = 60_000;
    assert.ok(JSON.stringify({ image: Buffer.from(bytes).toString('base64') }).length > limit);
    const { body, note } = endpointRequest(bytes, image, 0.05, limit);
    assert.ok(body.length <= limit, `${body.length} bytes`);
    assert.match(note ?? '', /^Downscaled from 300×200 to \d+×\d+ before sending/);
    const sent = decodeForPreview(
      Buffer.from((JSON.parse(body) as { image: string }).image, 'base64'),
      'sent',
    );
    // The aspect ratio is kept (to the pixel).
    assert.ok(Math.abs(sent.width / sent.height - 1.5) < 0.05, `${sent.width}x${sent.height}`);
  });

  it('box-filters when shrinking', () => {
    const image: RgbaImage = {
      width: 2,
      height: 2,
      data: new Uint8Array([
        0, 0, 0, 255, 200, 200, 200, 255, 100, 100, 100, 255, 100, 100, 100, 255,
      ]),
    };
    assert.deepEqual([...downscale(image, 0.5).data], [100, 100, 100, 255]);
  });

  it('reads the prediction list, strongest first, and refuses anything else', () => {
    assert.deepEqual(
      parsePredictionResponse('{"prediction":[[1,0.5,0,0,1,1],[17,0.9,0.1,0.1,0.5,0.5]]}'),
      [
        [17, 0.9, 0.1, 0.1, 0.5, 0.5],
        [1, 0.5, 0, 0, 1, 1],
      ],
    );
    assert.throws(() => parsePredictionResponse('<html>'), /other than JSON/);
    assert.throws(() => parsePredictionResponse('{"predictions":[]}'), /"prediction" list/);
    assert.throws(() => parsePredictionResponse('{"prediction":[[1,0.5,0,0,1]]}'), UserError);
  });

  it("takes an error response's reason from its JSON, else its text", () => {
    assert.equal(responseReason('{"error":"not an image: bad bytes"}'), 'not an image: bad bytes');
    assert.equal(responseReason('Bad Gateway'), 'Bad Gateway');
    assert.equal(responseReason(''), 'no reason given');
  });
});

describe('preview sources: a local endpoint URL', () => {
  let server: Server;
  let url: string;
  const image = noise(4, 4);
  const bytes = encodePng(image);
  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/ok/invocations') {
          const sent = JSON.parse(body) as { image: string; threshold: number };
          response.setHeader('content-type', 'application/json');
          response.end(
            JSON.stringify({ prediction: [[17, 0.9, 0, 0, 1, 1]], got: sent.image.length }),
          );
        } else if (request.url === '/bad/invocations') {
          response.statusCode = 415;
          response.end('{"error":"the body is not a JPEG or PNG image"}');
        } else if (request.url === '/broken/invocations') {
          response.statusCode = 500;
          response.end('model crashed');
        } else if (request.url === '/slow/invocations') {
          setTimeout(() => response.end('{"prediction":[]}'), 2000);
        } else {
          response.statusCode = 404;
          response.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('POSTs to <url>/invocations and returns predictions and the raw answer', async () => {
    const answer = await urlSource(`${url}/ok/`)(bytes, image, never);
    assert.deepEqual(answer.predictions, [[17, 0.9, 0, 0, 1, 1]]);
    assert.match(answer.raw, /"got":\d+/);
    assert.deepEqual(answer.notes, []);
  });

  it("says what a 4xx or 5xx answer was, with the server's reason", async () => {
    await assert.rejects(urlSource(`${url}/bad`)(bytes, image, never), (error: UserError) => {
      assert.match(error.message, /answered 415 .*: the body is not a JPEG or PNG image/);
      assert.match(error.fix ?? '', /refused/);
      return true;
    });
    await assert.rejects(urlSource(`${url}/broken`)(bytes, image, never), (error: UserError) => {
      assert.match(error.message, /answered 500 .*: model crashed/);
      assert.match(error.fix ?? '', /endpoint log/);
      return true;
    });
  });

  it('says when the endpoint is unreachable, and what to do', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      urlSource(`http://127.0.0.1:${port}`)(bytes, image, never),
      (error: UserError) => {
        assert.match(
          error.message,
          /cannot reach http:\/\/127\.0\.0\.1:\d+\/invocations \(ECONNREFUSED\)/,
        );
        assert.match(error.fix ?? '', /Serve Model Locally/);
        return true;
      },
    );
  });

  it('gives up after the timeout', async () => {
    await assert.rejects(
      urlSource(`${url}/slow`, 200)(bytes, image, never),
      /did not answer within 0.2 s/,
    );
  });
});

describe('preview sources: a SageMaker endpoint', () => {
  it('calls InvokeEndpoint with the seed JSON and reads the answer', async () => {
    const calls: { name: string; contentType: string; body: string }[] = [];
    const target = {
      invokeEndpoint: async (
        name: string,
        body: string,
        contentType: string,
      ): Promise<InvokeResult> => {
        calls.push({ name, contentType, body });
        return { body: new TextEncoder().encode('{"prediction":[[1,0.8,0,0,0.5,0.5]]}') };
      },
    } as unknown as Target;
    const image = noise(4, 4);
    const answer = await sagemakerSource(target, 'my-endpoint')(encodePng(image), image, never);
    assert.deepEqual(answer.predictions, [[1, 0.8, 0, 0, 0.5, 0.5]]);
    assert.equal(calls[0]?.name, 'my-endpoint');
    assert.equal(calls[0]?.contentType, 'application/json');
    assert.ok(JSON.parse(calls[0]?.body ?? '').image);
  });

  it('turns an SDK failure into what to check', async () => {
    const target = {
      invokeEndpoint: async () => {
        throw new Error('Received server error (500) from primary: boom');
      },
    } as unknown as Target;
    const image = noise(4, 4);
    await assert.rejects(
      sagemakerSource(target, 'e')(encodePng(image), image, never),
      (error: UserError) => {
        assert.match(error.message, /endpoint e failed: Received server error \(500\)/);
        assert.match(error.fix ?? '', /InService/);
        return true;
      },
    );
  });
});

describe('preview sources: images, models and label maps', () => {
  it('says a file that is not an image is not one', () => {
    assert.throws(
      () => decodeForPreview(new TextEncoder().encode('hello'), 'notes.png'),
      (error: UserError) =>
        /notes\.png is not a PNG or JPEG image/.test(error.message) && !!error.fix,
    );
  });

  it('explains a model folder with no model in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-preview-test-'));
    await assert.rejects(loadInProcessModel(dir), (error: UserError) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /holds no model/);
      assert.ok(error.fix);
      return true;
    });
    await assert.rejects(loadInProcessModel(join(dir, 'missing.tar.gz')), /does not exist/);
  });

  it('reads class names from a label map, display_name first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-preview-test-'));
    const path = join(dir, 'label_map.pbtxt');
    writeFileSync(
      path,
      "item { id: 1 name: 'person' }\nitem { id: 17 name: 'cat' display_name: 'Cat' }\n",
    );
    assert.deepEqual(
      [...((await labelMapNames(path)) ?? [])],
      [
        [1, 'person'],
        [17, 'Cat'],
      ],
    );
    writeFileSync(path, '');
    assert.equal(await labelMapNames(path), undefined);
  });
});

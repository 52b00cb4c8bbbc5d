import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import {
  decodeImage,
  encodePng,
  ImageDecodeError,
  ImageTooLargeError,
  MAX_DECODE_BYTES,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  MAX_JPEG_SCANS,
  readImageHeader,
  sniffImageFormat,
} from '../../../src/detection';
import {
  blackPng,
  deflateZeros,
  interlacedGreyPng,
  jpegClaiming,
  jpegHeader,
  manyScanJpeg,
} from './bombs';

/** A width x height RGBA gradient, so every pixel differs from its neighbours. */
function gradient(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      data[i] = (x * 255) / (width - 1);
      data[i + 1] = (y * 255) / (height - 1);
      data[i + 2] = 128;
      data[i + 3] = 255;
    }
  return data;
}

function pngBytes(width: number, height: number, data = gradient(width, height)): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(data);
  return PNG.sync.write(png);
}

function jpegBytes(width: number, height: number, quality = 95): Buffer {
  return jpeg.encode({ width, height, data: Buffer.from(gradient(width, height)) }, quality).data;
}

function throwsDecode(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeImage(bytes),
    (error: unknown) => error instanceof ImageDecodeError && pattern.test(error.message),
  );
}

describe('sniffImageFormat', () => {
  it('tells JPEG and PNG by their magic bytes, and nothing else', () => {
    assert.equal(sniffImageFormat(jpegBytes(4, 4)), 'jpeg');
    assert.equal(sniffImageFormat(pngBytes(4, 4)), 'png');
    assert.equal(sniffImageFormat(Buffer.from('GIF89a')), undefined);
    assert.equal(sniffImageFormat(new Uint8Array([0xff, 0xd8])), undefined);
    assert.equal(sniffImageFormat(new Uint8Array()), undefined);
  });
});

describe('decodeImage', () => {
  it('decodes a PNG into exactly its RGBA pixels', () => {
    const data = gradient(17, 9);
    const image = decodeImage(pngBytes(17, 9, data));
    assert.equal(image.width, 17);
    assert.equal(image.height, 9);
    assert.deepEqual(Array.from(image.data), Array.from(data));
  });

  it('turns grey and palette PNGs into RGBA', () => {
    const png = new PNG({ width: 3, height: 2, colorType: 0, inputColorType: 0, bitDepth: 8 });
    png.data = Buffer.from([0, 50, 100, 150, 200, 250]);
    const grey = PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
    const image = decodeImage(grey);
    assert.equal(image.data.length, 3 * 2 * 4);
    assert.deepEqual(Array.from(image.data.subarray(4, 8)), [50, 50, 50, 255]);
  });

  it('decodes a JPEG into RGBA close to what was encoded (JPEG is lossy)', () => {
    const image = decodeImage(jpegBytes(32, 16, 100));
    assert.equal(image.width, 32);
    assert.equal(image.height, 16);
    assert.equal(image.data.length, 32 * 16 * 4);
    const expected = gradient(32, 16);
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(expected[i] - image.data[i]));
    assert.ok(worst <= 12, `largest channel difference ${worst}`);
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const png = pngBytes(5, 5);
    const padded = new Uint8Array(png.length + 20);
    padded.set(png, 10);
    assert.equal(decodeImage(padded.subarray(10, 10 + png.length)).width, 5);
  });

  it('says a JPEG cut short is truncated', () => {
    const bytes = jpegBytes(64, 64);
    for (const keep of [0.3, 0.7, 0.99])
      throwsDecode(bytes.subarray(0, Math.floor(bytes.length * keep)), /^truncated JPEG/);
  });

  it('says a PNG cut short is truncated', () => {
    const bytes = pngBytes(64, 64);
    for (const keep of [0.05, 0.5, 0.99])
      throwsDecode(bytes.subarray(0, Math.floor(bytes.length * keep)), /^truncated PNG/);
  });

  it('says a complete but damaged PNG is corrupt', () => {
    const bytes = Buffer.from(pngBytes(16, 16));
    // Damage the IDAT payload but keep the IEND chunk, so the file is not merely cut short.
    const idat = bytes.indexOf('IDAT');
    bytes.fill(0x55, idat + 4, idat + 20);
    throwsDecode(bytes, /^corrupt PNG/);
  });

  it('names formats it recognises but does not decode', () => {
    throwsDecode(Buffer.from('GIF89a\x01\x00\x01\x00'), /GIF images are not supported/);
    throwsDecode(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 '), /WebP images are not supported/);
    throwsDecode(Buffer.from('BM\x00\x00\x00\x00'), /BMP/);
  });

  it('says what arbitrary bytes start with', () => {
    throwsDecode(
      Buffer.from('hello, world'),
      /not a JPEG or PNG image \(the data starts with 68 65 6c/,
    );
    throwsDecode(new Uint8Array(), /empty/);
  });

  it('refuses a PNG too large to decode before decoding it', () => {
    const side = Math.ceil(Math.sqrt(MAX_IMAGE_PIXELS)) + 1;
    const bytes = Buffer.from(pngBytes(2, 2));
    bytes.writeUInt32BE(side, 16);
    bytes.writeUInt32BE(side, 20);
    throwsDecode(bytes, /too large/);
  });
});

describe('decoding limits, from the header, before anything is allocated', () => {
  function throwsTooLarge(bytes: Uint8Array, pattern: RegExp): void {
    assert.throws(
      () => decodeImage(bytes),
      (error: unknown) => error instanceof ImageTooLargeError && pattern.test(error.message),
    );
  }

  it('refuses the 261 KB PNG of 1 x 67,108,864 pixels by its side', () => {
    const bomb = blackPng(1, 67_108_864);
    assert.ok(bomb.length < 300_000);
    throwsTooLarge(bomb, /1 x 67108864 pixels; the limit is 16384 pixels a side/);
  });

  it('refuses the 196 KB PNG of 8192 x 8192 pixels by its pixel count', () => {
    const bomb = blackPng(8192, 8192);
    assert.ok(bomb.length < 200_000);
    throwsTooLarge(bomb, /8192 x 8192 pixels, 67\.1 megapixels; the limit is 16\.8 megapixels/);
  });

  it('refuses a JPEG whose header claims 8000 x 8000 pixels', () => {
    throwsTooLarge(jpegClaiming(8000, 8000), /8000 x 8000 pixels, 64\.0 megapixels/);
  });

  it('decodes up to the limits: a 16384 x 2 PNG and a 4096 x 4096 one', () => {
    assert.equal(MAX_IMAGE_SIDE, 16_384);
    assert.equal(MAX_IMAGE_PIXELS, 4096 * 4096);
    assert.equal(decodeImage(blackPng(MAX_IMAGE_SIDE, 2)).width, MAX_IMAGE_SIDE);
    const largest = decodeImage(blackPng(4096, 4096, { colourType: 0 }));
    assert.equal(largest.data.length, 4096 * 4096 * 4);
    throwsTooLarge(blackPng(MAX_IMAGE_SIDE + 1, 1), /16385 x 1 pixels/);
  });

  it('refuses by memory what is within the pixel limits but costs more to decode', () => {
    // jpeg-js keeps each 8 x 8 block as its own typed array (about 680 bytes): four full
    // components of 4000 x 4000 need about 870 MB.
    const cmyk = readImageHeader(jpegHeader(4000, 4000, { components: 4 }));
    assert.ok(cmyk.decodeBytes > MAX_DECODE_BYTES, `${cmyk.decodeBytes}`);
    throwsTooLarge(
      jpegHeader(4000, 4000, { components: 4 }),
      /needs about \d+ MB to decode \(4000 x 4000 pixels, JPEG with 4 components\), over the 768 MB limit/,
    );
    // Three components of the same size fit.
    assert.ok(readImageHeader(jpegHeader(4000, 4000)).decodeBytes < MAX_DECODE_BYTES);
  });

  it('refuses a progressive JPEG of more scans than a decoder should walk', () => {
    throwsTooLarge(manyScanJpeg(MAX_JPEG_SCANS + 1), /more than 100 scans/);
  });

  it('refuses an interlaced PNG whose data inflates past what its pixels need', () => {
    // pngjs inflates an interlaced image without a cap: 10 MB of zeros for one pixel.
    const bomb = blackPng(1, 1, { interlaced: true, idat: deflateZeros(10 * 1024 * 1024) });
    throwsDecode(bomb, /^corrupt PNG: its image data inflates to more than its 1 x 1 pixels need/);
    // Real interlaced PNGs still decode, pass sizes and all.
    for (const [width, height] of [
      [1, 1],
      [9, 7],
      [33, 17],
    ] as const) {
      const grey = (x: number, y: number) => (x * 7 + y * 13) % 256;
      const interlaced = interlacedGreyPng(width, height, grey);
      assert.equal(readImageHeader(interlaced).progressive, true);
      const image = decodeImage(interlaced);
      assert.equal(image.width, width);
      assert.equal(image.data[4 * (width * (height - 1) + width - 1)], grey(width - 1, height - 1));
    }
  });

  it('refuses a PNG with a second IHDR (the decoder would take the second size)', () => {
    const png = pngBytes(4, 4);
    const ihdr = png.subarray(8, 33);
    const twice = Buffer.concat([png.subarray(0, 33), ihdr, png.subarray(33)]);
    throwsDecode(twice, /^corrupt PNG: it has a second IHDR/);
  });

  it('says what is wrong with headers that cannot be weighed', () => {
    throwsDecode(jpegHeader(640, 0), /height after the image data \(a DNL marker\)/);
    throwsDecode(
      jpegHeader(640, 480).subarray(0, 9),
      /^truncated JPEG: .* inside its frame header/,
    );
    throwsDecode(
      Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
      /^truncated JPEG: .* before its frame header/,
    );
    throwsDecode(pngBytes(4, 4).subarray(0, 20), /^truncated PNG: .* before its header does/);
    throwsDecode(blackPng(0, 4), /^corrupt PNG: its header says 0 x 4 pixels/);
    throwsDecode(blackPng(4, 4, { colourType: 2, bitDepth: 4 }), /colour type 2 with 4-bit/);
  });
});

describe('encodePng', () => {
  it('round-trips through decodeImage', () => {
    const image = { width: 7, height: 3, data: gradient(7, 3) };
    const decoded = decodeImage(encodePng(image));
    assert.equal(decoded.width, 7);
    assert.deepEqual(Array.from(decoded.data), Array.from(image.data));
  });
});

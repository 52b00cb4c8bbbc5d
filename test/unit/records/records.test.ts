import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  decodeExample,
  encodeDetectionExample,
  encodeExample,
  ExampleFormatError,
  expandRecordPath,
  maskedCrc32c,
  readDetectionExample,
  readTfRecordFile,
  shardName,
  tfRecordFile,
  tfRecordFrame,
  TfRecordReader,
  type RecordRead,
} from '../../../src/core/records';
import { decodeExample as independentDecode, readTfRecords } from '../sample/records';

const dir = mkdtempSync(join(tmpdir(), 'tfod-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(bytes: Uint8Array): string {
  const path = join(dir, `f${files++}.record`);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(path: string): Promise<RecordRead[]> {
  const out: RecordRead[] = [];
  for await (const item of readTfRecordFile(path)) out.push(item);
  return out;
}

// Protobuf by hand, for the encodings our writer does not produce (unpacked lists).
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
function ld(field: number, payload: number[] | Buffer): number[] {
  return [(field << 3) | 2, ...varint(payload.length), ...payload];
}
function exampleOf(entries: [string, number[]][]): Buffer {
  const features = entries.flatMap(([key, feature]) =>
    ld(1, [...ld(1, Buffer.from(key)), ...ld(2, feature)]),
  );
  return Buffer.from(ld(1, features));
}

const objects = [
  {
    xmin: 0.125,
    ymin: 0.25,
    xmax: 0.5,
    ymax: 0.75,
    text: 'cat',
    label: 1,
    difficult: false,
    truncated: true,
    view: 'frontal',
  },
  {
    xmin: 0.5,
    ymin: 0,
    xmax: 1,
    ymax: 0.5,
    text: 'dög',
    label: 3,
    difficult: true,
    truncated: false,
    view: '',
  },
];
const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

describe('tf.Example decoding', () => {
  it('round-trips the writer: every kind, empty lists, negative and 64-bit ints, UTF-8 keys', () => {
    const encoded = encodeExample({
      a: { bytes: ['x', Buffer.from([0, 255])] },
      b: { floats: [1.5, -2.25, 0] },
      c: { int64s: [0, -1, 2n ** 62n, -(2n ** 63n)] },
      'é/key': { bytes: [] },
      f: { floats: [] },
      i: { int64s: [] },
    });
    const { features, unknownFields } = decodeExample(encoded);
    assert.deepEqual(unknownFields, []);
    assert.deepEqual(features.get('a'), { bytes: [Buffer.from('x'), Buffer.from([0, 255])] });
    assert.deepEqual(features.get('b'), { floats: [1.5, -2.25, 0] });
    assert.deepEqual(features.get('c'), { int64s: [0n, -1n, 2n ** 62n, -(2n ** 63n)] });
    assert.deepEqual(features.get('é/key'), { bytes: [] });
    assert.deepEqual(features.get('f'), { floats: [] });
    assert.deepEqual(features.get('i'), { int64s: [] });
    // Decoded features are FeatureValues: re-encoding gives the same bytes.
    assert.deepEqual(encodeExample(Object.fromEntries(features)), encoded);
  });

  it('reads unpacked floats and int64s, and mixed packed/unpacked runs, in order', () => {
    const f32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeFloatLE(v);
      return [...b];
    };
    const floats = [
      ...[0x0d, ...f32(1.5)],
      ...ld(1, [...f32(2.5), ...f32(3.5)]),
      ...[0x0d, ...f32(-4)],
    ];
    const ints = [
      0x08,
      ...varint(7),
      ...ld(1, [...varint(300), 1]),
      0x08,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0x01,
    ];
    const example = exampleOf([
      ['f', ld(2, floats)],
      ['i', ld(3, ints)],
    ]);
    const { features } = decodeExample(example);
    assert.deepEqual(features.get('f'), { floats: [1.5, 2.5, 3.5, -4] });
    assert.deepEqual(features.get('i'), { int64s: [7n, 300n, 1n, -1n] });
  });

  it('applies protobuf rules: a repeated key is the last one, a later oneof kind wins', () => {
    const example = exampleOf([
      ['k', ld(1, ld(1, Buffer.from('first')))],
      ['k', [...ld(1, ld(1, Buffer.from('bytes'))), ...ld(3, [0x08, 5])]],
    ]);
    assert.deepEqual(decodeExample(example).features.get('k'), { int64s: [5n] });
  });

  it('counts unknown fields (a tf.SequenceExample is not an Example) and rejects malformed bytes with where', () => {
    const sequence = Buffer.from([...ld(1, []), ...ld(2, [])]);
    assert.deepEqual(decodeExample(sequence).unknownFields, ['field 2 in Example']);
    for (const [bytes, pattern] of [
      [Buffer.from([0x0a, 0x05, 1]), /claims 5 bytes but only 1 remain \(at byte 0/],
      [Buffer.from([0x0a]), /truncated varint/],
      [Buffer.from([0x0b]), /wire type 3/],
      [Buffer.from([0x08, ...Array(11).fill(0x80)]), /longer than 10 bytes/],
      [exampleOf([['f', ld(2, ld(1, [1, 2, 3]))]]), /not a multiple of 4/],
      [Buffer.from('a JPEG, not a proto'), /./],
    ] as const)
      assert.throws(
        () => decodeExample(bytes),
        (e: unknown) => e instanceof ExampleFormatError && pattern.test(e.message),
      );
  });

  it('agrees with the independent test reader on a detection example', () => {
    const encoded = encodeDetectionExample({
      encoded: image,
      format: 'jpeg',
      height: 480,
      width: 640,
      filename: 'a.jpg',
      sourceId: 'a.jpg',
      sha256: 'abc',
      objects,
    });
    const ours = decodeExample(encoded).features;
    const theirs = independentDecode(encoded);
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [key, value] of theirs) {
      const mine = ours.get(key) as unknown as Record<string, unknown[]>;
      assert.deepEqual(mine[value.kind], value.values, key);
    }
  });
});

describe('the Object Detection API view of an example', () => {
  it('reads back every key the writer writes', () => {
    const view = readDetectionExample(
      decodeExample(
        encodeDetectionExample({
          encoded: image,
          format: 'jpeg',
          height: 480,
          width: 640,
          filename: 'a.jpg',
          sourceId: 'id-1',
          sha256: 'abc',
          objects,
        }),
      ),
    );
    assert.deepEqual(view, {
      encoded: image,
      format: 'jpeg',
      height: 480,
      width: 640,
      filename: 'a.jpg',
      sourceId: 'id-1',
      sha256: 'abc',
      objects,
      problems: [],
    });
  });

  it('says what the API would reject: a key of the wrong kind, box lists of unequal length, two heights', () => {
    const view = readDetectionExample(
      decodeExample(
        encodeExample({
          'image/height': { floats: [480] },
          'image/width': { int64s: [640, 641] },
          'image/object/bbox/xmin': { floats: [0.1, 0.2] },
          'image/object/bbox/xmax': { floats: [0.3] },
          'image/object/bbox/ymin': { floats: [0.1, 0.2] },
          'image/object/bbox/ymax': { floats: [0.3, 0.4] },
          'image/object/class/label': { int64s: [1, 2] },
        }),
      ),
    );
    assert.equal(view.height, undefined);
    assert.equal(view.width, 640);
    assert.deepEqual([...view.problems].sort(), [
      "image/height is a float_list; the API's decoder reads it as an int64_list and fails",
      'image/object/bbox/xmax has 1 values but there are 2 boxes (image/object/bbox/xmin)',
      'image/width holds 2 values; it should hold one',
    ]);
    assert.equal(view.objects.length, 2);
    assert.ok(Number.isNaN(view.objects[1]?.xmax));
  });
});

describe('TFRecord reading', () => {
  const records = Array.from({ length: 5 }, (_, i) => Buffer.alloc(i * 700_000 + 3, i + 1));
  const whole = tfRecordFile(records);
  const offsets = records.reduce<number[]>(
    (acc, _, i) => [
      ...acc,
      i === 0 ? 0 : (acc[i - 1] as number) + 16 + (records[i - 1] as Buffer).length,
    ],
    [],
  );

  it('streams every record with its index and offset, records larger than the read-ahead included', async () => {
    const read = await readAll(file(whole));
    assert.deepEqual(
      read.map((r) =>
        'record' in r
          ? [
              r.record.index,
              r.record.offset,
              r.record.data.equals(records[r.record.index] as Buffer),
            ]
          : r.problem.message,
      ),
      records.map((_, i) => [i, offsets[i], true]),
    );
    // The test reader written apart from ours agrees.
    assert.deepEqual(readTfRecords(whole), records);
  });

  it('scans headers only, reads one record by offset, starts mid-file and stops at a limit', async () => {
    const reader = await TfRecordReader.open(file(whole));
    try {
      const spans = [];
      for await (const s of reader.scan()) spans.push(s);
      assert.deepEqual(
        spans,
        records.map((r, i) => ({ index: i, offset: offsets[i], length: r.length })),
      );
      const third = await reader.readAt(offsets[3] as number, 3);
      assert.ok('record' in third && third.record.data.equals(records[3] as Buffer));
      const page = [];
      for await (const r of reader.records({
        from: { offset: offsets[1] as number, index: 1 },
        limit: 2,
      }))
        page.push(r);
      assert.deepEqual(
        page.map((r) => ('record' in r ? r.record.index : -1)),
        [1, 2],
      );
      const nothing = await reader.readAt(whole.length, 5);
      assert.ok('problem' in nothing && /no record at byte/.test(nothing.problem.message));
    } finally {
      await reader.close();
    }
  });

  it('reports a bad data CRC with the record index and byte offset, and reads on', async () => {
    const damaged = Buffer.from(whole);
    damaged[(offsets[2] as number) + 12 + 10] ^= 0x40;
    const read = await readAll(file(damaged));
    assert.equal(read.length, 5);
    const problem = read[2];
    assert.ok(problem && 'problem' in problem);
    assert.equal(problem.problem.kind, 'data-crc');
    assert.equal(problem.problem.index, 2);
    assert.equal(problem.problem.offset, offsets[2]);
    assert.match(
      problem.problem.message,
      new RegExp(`^record 2 at byte ${offsets[2]}: the data's CRC does not match`),
    );
    assert.deepEqual(
      read.map((r) => ('record' in r ? r.record.index : 'bad')),
      [0, 1, 'bad', 3, 4],
    );
  });

  it('stops at a bad length CRC, a file cut short, a GZIP file or one that is not a TFRecord', async () => {
    const damaged = Buffer.from(whole);
    damaged[(offsets[3] as number) + 1] ^= 1;
    const cases: [Buffer, string, number, RegExp][] = [
      [damaged, 'length-crc', 3, /the file is damaged here/],
      [
        whole.subarray(0, (offsets[4] as number) + 100),
        'truncated',
        4,
        /says it holds 2800003 bytes but the file ends 88 bytes after its header/,
      ],
      [
        whole.subarray(0, (offsets[4] as number) + 5),
        'truncated',
        4,
        /ends 5 bytes into the record's 12-byte header/,
      ],
      [
        Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0]),
        'compressed',
        0,
        /GZIP-compressed/,
      ],
      [Buffer.from('item {\n  id: 1\n  name: "cat"\n}\n'), 'length-crc', 0, /not a TFRecord file/],
    ];
    for (const [bytes, kind, index, message] of cases) {
      const read = await readAll(file(bytes));
      assert.equal(read.length, index + 1, kind);
      const last = read[index];
      assert.ok(last && 'problem' in last, kind);
      assert.equal(last.problem.kind, kind);
      assert.equal(last.problem.index, index);
      assert.equal(last.problem.resumed, false);
      assert.match(last.problem.message, message);
    }
  });

  it('never allocates what a hostile length claims: a sound header saying 2^60 bytes is a short file', async () => {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(2n ** 60n);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(maskedCrc32c(length));
    const read = await readAll(
      file(Buffer.concat([tfRecordFrame(Buffer.from('ok')), length, crc, Buffer.alloc(64)])),
    );
    assert.equal(read.length, 2);
    assert.ok(read[1] && 'problem' in read[1] && read[1].problem.kind === 'truncated');
  });

  it('skips a record over the size limit and reads on', async () => {
    const path = file(tfRecordFile([Buffer.alloc(10), Buffer.alloc(5000), Buffer.alloc(20)]));
    const read: RecordRead[] = [];
    for await (const r of readTfRecordFile(path, { maxRecordBytes: 1000 })) read.push(r);
    assert.deepEqual(
      read.map((r) => ('record' in r ? r.record.data.length : r.problem.kind)),
      [10, 'too-large', 20],
    );
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const path = file(whole);
    await assert.rejects(async () => {
      for await (const r of readTfRecordFile(path, { signal: controller.signal })) {
        assert.ok('record' in r);
        controller.abort();
      }
    }, /cancelled/);
  });
});

describe('sharded record names', () => {
  it('expands a shard name or an input_path pattern to the whole set and names missing shards', async () => {
    const shards = mkdtempSync(join(dir, 'shards-'));
    for (const i of [0, 1, 3])
      writeFileSync(join(shards, shardName('train.record', i, 4)), tfRecordFile([]));
    writeFileSync(join(shards, 'validation.record'), tfRecordFile([]));
    const expected = {
      files: [0, 1, 3].map((i) => join(shards, shardName('train.record', i, 4))),
      missing: [join(shards, 'train.record-00002-of-00004')],
    };
    assert.deepEqual(await expandRecordPath(join(shards, 'train.record-00001-of-00004')), expected);
    assert.deepEqual(await expandRecordPath(join(shards, 'train.record-?????-of-00004')), expected);
    assert.deepEqual(await expandRecordPath(join(shards, '*.record')), {
      files: [join(shards, 'validation.record')],
      missing: [],
    });
    assert.deepEqual(await expandRecordPath(join(shards, 'validation.record')), {
      files: [join(shards, 'validation.record')],
      missing: [],
    });
    assert.deepEqual(await expandRecordPath(join(shards, 'train.record-0000[01]-of-00004')), {
      files: expected.files.slice(0, 2),
      missing: [],
    });
    assert.equal(shardName('x', 7, 12, 3), 'x-007-of-012');
  });
});

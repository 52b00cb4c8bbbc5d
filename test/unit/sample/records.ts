import { maskedCrc32c } from '../../../src/core/sample';

// Readers written independently of the generator: TFRecord framing and the protobuf wire format
// of tf.train.Example, as TensorFlow reads them.

export function readTfRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    if (file.length - at < 12) throw new Error(`truncated header at ${at}`);
    const lengthBytes = file.subarray(at, at + 8);
    const length = Number(lengthBytes.readBigUInt64LE());
    if (file.readUInt32LE(at + 8) !== maskedCrc32c(lengthBytes))
      throw new Error(`bad length crc at ${at}`);
    const data = file.subarray(at + 12, at + 12 + length);
    if (data.length !== length || file.length < at + 16 + length)
      throw new Error(`truncated record at ${at}`);
    if (file.readUInt32LE(at + 12 + length) !== maskedCrc32c(data))
      throw new Error(`bad data crc at ${at}`);
    records.push(Buffer.from(data));
    at += 16 + length;
  }
  return records;
}

interface Field {
  readonly field: number;
  readonly wire: number;
  readonly value: bigint | Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, at];
    shift += 7n;
  }
}

export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      fields.push({ field, wire, value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ field, wire, value: buf.subarray(after, end) });
      at = end;
    } else if (wire === 5) {
      fields.push({ field, wire, value: buf.subarray(at, at + 4) });
      at += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

export type Decoded =
  | { kind: 'bytes'; values: Buffer[] }
  | { kind: 'floats'; values: number[] }
  | { kind: 'int64s'; values: bigint[] };

function only(fields: Field[], field: number): Buffer[] {
  return fields.filter((f) => f.field === field && f.wire === 2).map((f) => f.value as Buffer);
}

/** Decodes a serialized tf.train.Example into its feature map. */
export function decodeExample(buf: Buffer): Map<string, Decoded> {
  const top = readFields(buf);
  if (top.length !== 1 || top[0]?.field !== 1) throw new Error('Example must hold one features');
  const features = new Map<string, Decoded>();
  for (const entry of only(readFields(top[0].value as Buffer), 1)) {
    const parts = readFields(entry);
    const key = only(parts, 1)[0]?.toString();
    const feature = only(parts, 2)[0];
    if (key === undefined || feature === undefined) throw new Error('map entry without key/value');
    const kinds = readFields(feature);
    if (kinds.length !== 1) throw new Error(`feature ${key} must hold one list`);
    const list = readFields(kinds[0]?.value as Buffer);
    const kind = kinds[0]?.field;
    if (kind === 1) features.set(key, { kind: 'bytes', values: only(list, 1) });
    else if (kind === 2) {
      const values: number[] = [];
      for (const f of list) {
        const bytes = f.value as Buffer;
        if (f.wire === 5) values.push(bytes.readFloatLE(0));
        else for (let i = 0; i < bytes.length; i += 4) values.push(bytes.readFloatLE(i));
      }
      features.set(key, { kind: 'floats', values });
    } else if (kind === 3) {
      const values: bigint[] = [];
      for (const f of list) {
        if (f.wire === 0) values.push(f.value as bigint);
        else {
          const bytes = f.value as Buffer;
          for (let at = 0; at < bytes.length;) {
            const [v, next] = readVarint(bytes, at);
            values.push(BigInt.asIntN(64, v));
            at = next;
          }
        }
      }
      features.set(key, { kind: 'int64s', values });
    } else throw new Error(`feature ${key} has unknown kind ${kind}`);
  }
  return features;
}

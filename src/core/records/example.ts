/**
 * A writer for tf.train.Example in protobuf wire format, enough for the Object Detection API's
 * TFRecords:
 *
 *   Example  { Features features = 1; }
 *   Features { map<string, Feature> feature = 1; }   (entries: key = 1, value = 2)
 *   Feature  { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
 *   BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }
 *   Int64List { repeated int64 value = 1 [packed]; }
 */
export type FeatureValue =
  | { readonly bytes: readonly (Uint8Array | string)[] }
  | { readonly floats: readonly number[] }
  | { readonly int64s: readonly (number | bigint)[] };

const WIRE_LENGTH = 2;

/**
 * A message as the pieces it is made of: large byte values (a record's image) are referenced, not
 * copied, and everything between them is one buffer. A record is then three pieces (before the
 * image, the image, after it) that a writev sends as they are.
 */
export interface EncodedParts {
  readonly parts: Uint8Array[];
  readonly length: number;
}

/** Byte values at least this long are referenced as pieces of their own; shorter ones are copied. */
const REFERENCE_FROM = 4096;

/** Bytes of `n` (a non-negative safe integer) as a varint. */
function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
}

/** An int64 value as a safe non-negative number (the common case) or its unsigned 64-bit form. */
function int64Value(value: number | bigint): number | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  // Negative int64 values are written as their 64-bit two's complement (ten bytes).
  return BigInt.asUintN(64, BigInt(value));
}

function int64Length(value: number | bigint): number {
  if (typeof value === 'number') return varintLength(value);
  let length = 1;
  for (let v = value >> 7n; v !== 0n; v >>= 7n) length++;
  return length;
}

/** One feature, its sizes worked out before anything is written. */
interface SizedFeature {
  readonly key: Buffer;
  readonly value: FeatureValue;
  readonly items: readonly Uint8Array[] | undefined;
  readonly ints: readonly (number | bigint)[] | undefined;
  /** The packed floats' or ints' bytes, or the BytesList's body. */
  readonly payload: number;
  /** The list message's body. */
  readonly list: number;
  /** The Feature message's body. */
  readonly feature: number;
  /** The map entry's body. */
  readonly entry: number;
}

function sizeFeature(key: string, value: FeatureValue): SizedFeature {
  let items: Uint8Array[] | undefined;
  let ints: (number | bigint)[] | undefined;
  let payload = 0;
  let list: number;
  if ('bytes' in value) {
    items = value.bytes.map((b) => (typeof b === 'string' ? Buffer.from(b) : b));
    for (const item of items) payload += 1 + varintLength(item.length) + item.length;
    list = payload;
  } else {
    let count: number;
    if ('floats' in value) {
      count = value.floats.length;
      payload = count * 4;
    } else {
      ints = value.int64s.map(int64Value);
      count = ints.length;
      for (const n of ints) payload += int64Length(n);
    }
    // An empty list is an empty message; a full one holds the packed values as field 1.
    list = count ? 1 + varintLength(payload) + payload : 0;
  }
  const keyBytes = Buffer.from(key);
  const feature = 1 + varintLength(list) + list;
  const entry =
    1 + varintLength(keyBytes.length) + keyBytes.length + 1 + varintLength(feature) + feature;
  return { key: keyBytes, value, items, ints, payload, list, feature, entry };
}

/** Writes into one buffer, handing large byte values over as pieces of their own. */
class PartsWriter {
  readonly parts: Uint8Array[] = [];
  private at = 0;
  private start = 0;

  constructor(private readonly buffer: Buffer) {}

  byte(value: number): void {
    this.buffer[this.at++] = value;
  }

  varint(value: number | bigint): void {
    if (typeof value === 'bigint') {
      let v = value;
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** Tag of a length-delimited field, then the length. */
  delimited(field: number, length: number): void {
    this.byte((field << 3) | WIRE_LENGTH);
    this.varint(length);
  }

  bytes(value: Uint8Array): void {
    if (value.length >= REFERENCE_FROM) {
      if (this.at > this.start) this.parts.push(this.buffer.subarray(this.start, this.at));
      this.parts.push(value);
      this.start = this.at;
    } else {
      this.buffer.set(value, this.at);
      this.at += value.length;
    }
  }

  float(value: number): void {
    this.at = this.buffer.writeFloatLE(value, this.at);
  }

  end(): Uint8Array[] {
    if (this.at > this.start) this.parts.push(this.buffer.subarray(this.start, this.at));
    return this.parts;
  }
}

function writeFeature(out: PartsWriter, f: SizedFeature): void {
  out.delimited(1, f.entry);
  out.delimited(1, f.key.length);
  out.bytes(f.key);
  out.delimited(2, f.feature);
  const value = f.value;
  if (f.items) {
    out.delimited(1, f.list);
    for (const item of f.items) {
      out.delimited(1, item.length);
      out.bytes(item);
    }
  } else if ('floats' in value) {
    out.delimited(2, f.list);
    if (value.floats.length) {
      out.delimited(1, f.payload);
      for (const v of value.floats) out.float(v);
    }
  } else {
    out.delimited(3, f.list);
    if (f.ints?.length) {
      out.delimited(1, f.payload);
      for (const v of f.ints) out.varint(v);
    }
  }
}

/** A tf.train.Example as its pieces (see EncodedParts); features in key order, as TensorFlow writes them. */
export function encodeExampleParts(features: Readonly<Record<string, FeatureValue>>): EncodedParts {
  const sized = Object.keys(features)
    .sort()
    .map((key) => sizeFeature(key, features[key] as FeatureValue));
  let body = 0;
  let referenced = 0;
  for (const f of sized) {
    body += 1 + varintLength(f.entry) + f.entry;
    for (const item of f.items ?? []) if (item.length >= REFERENCE_FROM) referenced += item.length;
  }
  const length = 1 + varintLength(body) + body;
  const out = new PartsWriter(Buffer.allocUnsafe(length - referenced));
  out.delimited(1, body);
  for (const f of sized) writeFeature(out, f);
  return { parts: out.end(), length };
}

/** Serializes a tf.train.Example; features are written in key order, as TensorFlow does. */
export function encodeExample(features: Readonly<Record<string, FeatureValue>>): Buffer {
  const { parts, length } = encodeExampleParts(features);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
}

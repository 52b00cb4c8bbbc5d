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

function varint(value: bigint): Buffer {
  // Negative int64 values are written as their 64-bit two's complement (ten bytes).
  let v = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

function tag(field: number, wire: number): Buffer {
  return varint(BigInt((field << 3) | wire));
}

function lengthDelimited(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([tag(field, WIRE_LENGTH), varint(BigInt(payload.length)), payload]);
}

function encodeFeature(value: FeatureValue): Buffer {
  if ('bytes' in value) {
    const list = Buffer.concat(
      value.bytes.map((b) => lengthDelimited(1, typeof b === 'string' ? Buffer.from(b) : b)),
    );
    return lengthDelimited(1, list);
  }
  if ('floats' in value) {
    const packed = Buffer.alloc(value.floats.length * 4);
    value.floats.forEach((f, i) => packed.writeFloatLE(f, i * 4));
    return lengthDelimited(2, value.floats.length ? lengthDelimited(1, packed) : Buffer.alloc(0));
  }
  const packed = Buffer.concat(value.int64s.map((n) => varint(BigInt(n))));
  return lengthDelimited(3, value.int64s.length ? lengthDelimited(1, packed) : Buffer.alloc(0));
}

/** Serializes a tf.train.Example; features are written in key order, as TensorFlow does. */
export function encodeExample(features: Readonly<Record<string, FeatureValue>>): Buffer {
  const entries = Object.keys(features)
    .sort()
    .map((key) => {
      const entry = Buffer.concat([
        lengthDelimited(1, Buffer.from(key)),
        lengthDelimited(2, encodeFeature(features[key] as FeatureValue)),
      ]);
      return lengthDelimited(1, entry);
    });
  return lengthDelimited(1, Buffer.concat(entries));
}

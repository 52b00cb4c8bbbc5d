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
 * A message as the pieces it is made of, never joined until the end: the image bytes of a record
 * are referenced, not copied at each level of nesting (a 240 KB JPEG was copied eight times).
 */
export interface EncodedParts {
  readonly parts: Uint8Array[];
  readonly length: number;
}

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

function of(...pieces: (Uint8Array | EncodedParts)[]): EncodedParts {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const piece of pieces)
    if (piece instanceof Uint8Array) {
      parts.push(piece);
      length += piece.length;
    } else {
      parts.push(...piece.parts);
      length += piece.length;
    }
  return { parts, length };
}

function lengthDelimited(field: number, payload: Uint8Array | EncodedParts): EncodedParts {
  return of(tag(field, WIRE_LENGTH), varint(BigInt(payload.length)), payload);
}

function encodeFeature(value: FeatureValue): EncodedParts {
  if ('bytes' in value) {
    const list = of(
      ...value.bytes.map((b) => lengthDelimited(1, typeof b === 'string' ? Buffer.from(b) : b)),
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

/** A tf.train.Example as its pieces (see EncodedParts); features in key order, as TensorFlow writes them. */
export function encodeExampleParts(features: Readonly<Record<string, FeatureValue>>): EncodedParts {
  const entries = Object.keys(features)
    .sort()
    .map((key) =>
      lengthDelimited(
        1,
        of(
          lengthDelimited(1, Buffer.from(key)),
          lengthDelimited(2, encodeFeature(features[key] as FeatureValue)),
        ),
      ),
    );
  return lengthDelimited(1, of(...entries));
}

/** Serializes a tf.train.Example; features are written in key order, as TensorFlow does. */
export function encodeExample(features: Readonly<Record<string, FeatureValue>>): Buffer {
  const { parts, length } = encodeExampleParts(features);
  return Buffer.concat(parts, length);
}

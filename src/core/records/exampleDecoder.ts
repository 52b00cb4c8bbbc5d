/**
 * A reader of tf.train.Example in protobuf wire format, the inverse of `encodeExample` (see
 * example.ts for the messages; a DecodedFeature is also a FeatureValue, so decoded features
 * re-encode as they are). It follows protobuf's parsing rules, as TensorFlow does: packed and
 * unpacked repeated floats and int64s both read, a later map entry with the same key wins, a later
 * kind in Feature's oneof wins, unknown fields are skipped but counted (a tf.SequenceExample parses
 * as an Example with an unknown field 2, which an inspector should say). Malformed bytes throw an
 * ExampleFormatError that says what and where; nothing is allocated beyond the record's own size.
 */
export type DecodedFeature =
  | { readonly bytes: readonly Buffer[] }
  | { readonly floats: readonly number[] }
  | { readonly int64s: readonly bigint[] };

export interface DecodedExample {
  readonly features: ReadonlyMap<string, DecodedFeature>;
  /** Fields the Example, Features, a map entry or a Feature held that tf.train.Example does not define. */
  readonly unknownFields: readonly string[];
}

export class ExampleFormatError extends Error {
  override readonly name = 'ExampleFormatError';
  constructor(
    message: string,
    /** Byte offset in the record. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset} of the record)`);
  }
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

/** One field of a message: for LENGTH fields, [start, end) of its payload within `buf`. */
interface Field {
  readonly number: number;
  readonly wire: number;
  readonly value: bigint;
  readonly start: number;
  readonly end: number;
}

function readVarint(buf: Uint8Array, at: number, end: number): [bigint, number] {
  let result = 0n;
  for (let shift = 0n, i = 0; i < 10; i++, shift += 7n) {
    if (at >= end) throw new ExampleFormatError('truncated varint', at);
    const byte = buf[at++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [BigInt.asUintN(64, result), at];
  }
  throw new ExampleFormatError('varint longer than 10 bytes', at);
}

/** The fields of the message in buf[start, end), in order. */
function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let at = start;
  while (at < end) {
    const fieldAt = at;
    const [key, afterKey] = readVarint(buf, at, end);
    at = afterKey;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number === 0) throw new ExampleFormatError('field number 0', fieldAt);
    switch (wire) {
      case VARINT: {
        const [value, after] = readVarint(buf, at, end);
        yield { number, wire, value, start: at, end: after };
        at = after;
        break;
      }
      case FIXED64:
        if (at + 8 > end) throw new ExampleFormatError('truncated 64-bit field', fieldAt);
        yield { number, wire, value: 0n, start: at, end: at + 8 };
        at += 8;
        break;
      case FIXED32:
        if (at + 4 > end) throw new ExampleFormatError('truncated 32-bit field', fieldAt);
        yield { number, wire, value: 0n, start: at, end: at + 4 };
        at += 4;
        break;
      case LENGTH: {
        const [length, after] = readVarint(buf, at, end);
        if (length > BigInt(end - after))
          throw new ExampleFormatError(
            `field ${number} claims ${length} bytes but only ${end - after} remain`,
            fieldAt,
          );
        yield { number, wire, value: length, start: after, end: after + Number(length) };
        at = after + Number(length);
        break;
      }
      default:
        throw new ExampleFormatError(
          `wire type ${wire} (field ${number}) is not valid here`,
          fieldAt,
        );
    }
  }
}

function expectLength(field: Field, what: string): void {
  if (field.wire !== LENGTH)
    throw new ExampleFormatError(
      `${what} has wire type ${field.wire}, not length-delimited`,
      field.start,
    );
}

function decodeFeature(
  buf: Buffer,
  start: number,
  end: number,
  key: string,
  unknown: string[],
): DecodedFeature {
  // An empty Feature (no kind set) reads as an empty list, as tf.io.parse_example sees it.
  let feature: DecodedFeature = { bytes: [] };
  for (const kind of fields(buf, start, end)) {
    if (kind.number < 1 || kind.number > 3) {
      unknown.push(`field ${kind.number} in feature '${key}'`);
      continue;
    }
    expectLength(kind, `feature '${key}'`);
    if (kind.number === 1) {
      const values: Buffer[] = [];
      for (const v of fields(buf, kind.start, kind.end)) {
        if (v.number !== 1) {
          unknown.push(`field ${v.number} in the bytes_list of '${key}'`);
          continue;
        }
        expectLength(v, `a bytes value of '${key}'`);
        values.push(buf.subarray(v.start, v.end));
      }
      feature = { bytes: values };
    } else if (kind.number === 2) {
      const values: number[] = [];
      for (const v of fields(buf, kind.start, kind.end)) {
        if (v.number !== 1) {
          unknown.push(`field ${v.number} in the float_list of '${key}'`);
          continue;
        }
        if (v.wire === FIXED32) values.push(buf.readFloatLE(v.start));
        else if (v.wire === LENGTH) {
          if ((v.end - v.start) % 4 !== 0)
            throw new ExampleFormatError(
              `packed floats of '${key}' are not a multiple of 4 bytes`,
              v.start,
            );
          for (let at = v.start; at < v.end; at += 4) values.push(buf.readFloatLE(at));
        } else throw new ExampleFormatError(`a float of '${key}' has wire type ${v.wire}`, v.start);
      }
      feature = { floats: values };
    } else {
      const values: bigint[] = [];
      for (const v of fields(buf, kind.start, kind.end)) {
        if (v.number !== 1) {
          unknown.push(`field ${v.number} in the int64_list of '${key}'`);
          continue;
        }
        if (v.wire === VARINT) values.push(BigInt.asIntN(64, v.value));
        else if (v.wire === LENGTH) {
          for (let at = v.start; at < v.end;) {
            const [value, next] = readVarint(buf, at, v.end);
            values.push(BigInt.asIntN(64, value));
            at = next;
          }
        } else
          throw new ExampleFormatError(`an int64 of '${key}' has wire type ${v.wire}`, v.start);
      }
      feature = { int64s: values };
    }
  }
  return feature;
}

/**
 * Decodes a serialized tf.train.Example. The Buffers of bytes features are views into `record`
 * (no copy): copy them to keep them beyond the record's life.
 */
export function decodeExample(record: Buffer): DecodedExample {
  const features = new Map<string, DecodedFeature>();
  const unknown: string[] = [];
  for (const top of fields(record, 0, record.length)) {
    if (top.number !== 1) {
      unknown.push(`field ${top.number} in Example`);
      continue;
    }
    expectLength(top, 'Example.features');
    for (const entry of fields(record, top.start, top.end)) {
      if (entry.number !== 1) {
        unknown.push(`field ${entry.number} in Features`);
        continue;
      }
      expectLength(entry, 'a Features map entry');
      let key = '';
      let value: [number, number] | undefined;
      for (const part of fields(record, entry.start, entry.end)) {
        if (part.number === 1) {
          expectLength(part, 'a feature name');
          key = record.toString('utf8', part.start, part.end);
        } else if (part.number === 2) {
          expectLength(part, 'a feature value');
          value = [part.start, part.end];
        } else unknown.push(`field ${part.number} in a Features map entry`);
      }
      // A map entry without a value is the default Feature (an empty list).
      features.set(
        key,
        value ? decodeFeature(record, value[0], value[1], key, unknown) : { bytes: [] },
      );
    }
  }
  return { features, unknownFields: unknown };
}

import { crc32cOfParts, maskCrc, maskedCrc32c } from './crc32c';
import type { EncodedParts } from './example';

/**
 * One TFRecord frame: uint64 length (little-endian), masked CRC-32C of those 8 bytes, the data,
 * masked CRC-32C of the data.
 */
export function tfRecordFrame(data: Uint8Array): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(data.length));
  const lengthCrc = Buffer.alloc(4);
  lengthCrc.writeUInt32LE(maskedCrc32c(length));
  const dataCrc = Buffer.alloc(4);
  dataCrc.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([length, lengthCrc, data, dataCrc]);
}

/** A whole TFRecord file from its records. */
export function tfRecordFile(records: readonly Uint8Array[]): Buffer {
  return Buffer.concat(records.map(tfRecordFrame));
}

/** A frame around data given as pieces (encodeExampleParts), without joining them: for writev. */
export function tfRecordFrameParts(data: EncodedParts): Uint8Array[] {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length));
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskCrc(crc32cOfParts(data.parts)));
  return [header, ...data.parts, footer];
}

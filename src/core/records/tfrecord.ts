import { maskedCrc32c } from './crc32c';

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

import { open, type FileHandle } from 'node:fs/promises';
import { CancelledError } from '../errors';
import { crc32c, maskCrc } from './crc32c';

/**
 * A streaming reader of TFRecord files. A frame is: uint64 length (little-endian), the masked
 * CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data. Files are read by offset
 * through one small read-ahead buffer, never whole; a frame's length is checked against its CRC
 * and against the bytes the file has before anything of that size is allocated, so a damaged or
 * hostile file costs at most one record's worth of memory.
 *
 * Problems are yielded in order with the record's index and byte offset, never thrown: a bad data
 * CRC skips that record and reading goes on (its length was sound); a bad length CRC or a file
 * that ends inside a frame stops the file there, since where the next frame starts is not known.
 */
export interface TfRecord {
  /** 0-based position of the record in its file. */
  readonly index: number;
  /** Byte offset of the frame (its length field) in the file; `readAt` takes it back. */
  readonly offset: number;
  readonly data: Buffer;
}

export type RecordProblemKind =
  'length-crc' | 'data-crc' | 'truncated' | 'too-large' | 'compressed';

export interface RecordProblem {
  readonly kind: RecordProblemKind;
  readonly index: number;
  readonly offset: number;
  /** What is wrong, in words, with the index and offset ("record 3 at byte 1024: ..."). */
  readonly message: string;
  /** The same without the index and offset. */
  readonly why: string;
  /** Whether reading went on after it (only a bad data CRC or a record over the size limit). */
  readonly resumed: boolean;
}

export type RecordRead = { readonly record: TfRecord } | { readonly problem: RecordProblem };

/** A frame's place without its data, from `scan`. */
export interface RecordSpan {
  readonly index: number;
  readonly offset: number;
  readonly length: number;
}

export interface ReadOptions {
  /** Where to start: a frame offset and that record's index (from an earlier read or scan). */
  readonly from?: { readonly offset: number; readonly index: number };
  /** Stop after this many records (problems do not count). */
  readonly limit?: number;
  /** Records longer than this are reported as 'too-large' and skipped, not read (default 1 GiB). */
  readonly maxRecordBytes?: number;
  readonly signal?: AbortSignal;
}

const HEADER = 12;
const FOOTER = 4;
const READ_AHEAD = 1 << 20;
export const DEFAULT_MAX_RECORD_BYTES = 1 << 30;

export class TfRecordReader {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkAt = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** The file's size when it was opened. */
    readonly size: number,
  ) {}

  static async open(path: string): Promise<TfRecordReader> {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      return new TfRecordReader(path, handle, stats.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.chunk = Buffer.alloc(0);
    await this.handle.close();
  }

  /** Every record (or problem) from `options.from` on, in file order. */
  async *records(options: ReadOptions = {}): AsyncGenerator<RecordRead> {
    for await (const item of this.frames(options, true)) if (!('span' in item)) yield item;
  }

  /**
   * Every frame's place, reading only the 12-byte headers (the data's CRC is not checked): how a
   * viewer pages through a large file, then reads a page with `readAt`.
   */
  async *scan(
    options: ReadOptions = {},
  ): AsyncGenerator<RecordSpan | { readonly problem: RecordProblem }> {
    for await (const item of this.frames(options, false)) {
      if ('problem' in item) yield item;
      else if ('span' in item) yield item.span;
    }
  }

  /** The one record whose frame starts at `offset` (its index is only used in messages). */
  async readAt(
    offset: number,
    index = 0,
    options: Omit<ReadOptions, 'from' | 'limit'> = {},
  ): Promise<RecordRead> {
    for await (const item of this.records({ ...options, from: { offset, index }, limit: 1 }))
      return item;
    return {
      problem: this.problem(
        'truncated',
        index,
        offset,
        `there is no record at byte ${offset}: the file has ${this.size} bytes`,
        false,
      ),
    };
  }

  private async *frames(
    options: ReadOptions,
    withData: boolean,
  ): AsyncGenerator<{ record: TfRecord } | { span: RecordSpan } | { problem: RecordProblem }> {
    const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    let offset = options.from?.offset ?? 0;
    let index = options.from?.index ?? 0;
    let count = 0;
    while (offset < this.size && (options.limit === undefined || count < options.limit)) {
      if (options.signal?.aborted) throw new CancelledError();
      const header = await this.read(offset, Math.min(HEADER, this.size - offset), withData);
      if (header.length < HEADER) {
        yield {
          problem: this.truncated(
            index,
            offset,
            `the file ends ${header.length} bytes into the record's 12-byte header`,
          ),
        };
        return;
      }
      const lengthBytes = header.subarray(0, 8);
      if (maskCrc(crc32c(lengthBytes)) !== header.readUInt32LE(8)) {
        if (offset === 0 && header[0] === 0x1f && header[1] === 0x8b) {
          yield {
            problem: this.problem(
              'compressed',
              index,
              offset,
              'the file is GZIP-compressed (a TFRecord written with compression_type GZIP); decompress it (gunzip) to read it here',
              false,
            ),
          };
          return;
        }
        yield {
          problem: this.problem(
            'length-crc',
            index,
            offset,
            offset === 0
              ? "the length's CRC does not match: this is not a TFRecord file (or it is ZLIB-compressed or damaged at its start)"
              : "the length's CRC does not match: the file is damaged here, and the records after it cannot be found",
            false,
          ),
        };
        return;
      }
      const length = lengthBytes.readBigUInt64LE();
      const frameEnd = BigInt(offset) + BigInt(HEADER + FOOTER) + length;
      if (frameEnd > BigInt(this.size)) {
        yield {
          problem: this.truncated(
            index,
            offset,
            `the record says it holds ${length} bytes but the file ends ${BigInt(this.size) - BigInt(offset + HEADER)} bytes after its header (a copy or a write that did not finish?)`,
          ),
        };
        return;
      }
      const dataLength = Number(length);
      const next = Number(frameEnd);
      if (!withData) {
        yield { span: { index, offset, length: dataLength } };
      } else if (dataLength > max) {
        yield {
          problem: this.problem(
            'too-large',
            index,
            offset,
            `the record holds ${dataLength} bytes, over the limit of ${max}; it was skipped`,
            true,
          ),
        };
      } else {
        const body = await this.read(offset + HEADER, dataLength + FOOTER, true);
        if (body.length < dataLength + FOOTER) {
          yield {
            problem: this.truncated(index, offset, 'the file became shorter while it was read'),
          };
          return;
        }
        const data = body.subarray(0, dataLength);
        if (maskCrc(crc32c(data)) !== body.readUInt32LE(dataLength)) {
          yield {
            problem: this.problem(
              'data-crc',
              index,
              offset,
              "the data's CRC does not match: the record is damaged; it was skipped",
              true,
            ),
          };
        } else yield { record: { index, offset, data } };
      }
      count++;
      index++;
      offset = next;
    }
  }

  /**
   * Bytes [position, position + length), fewer where the file ends. With `ahead`, small reads go
   * through a read-ahead buffer; each refill is a new Buffer, so views handed out stay valid.
   */
  private async read(position: number, length: number, ahead: boolean): Promise<Buffer> {
    const inChunk = position - this.chunkAt;
    if (inChunk >= 0 && inChunk + length <= this.chunk.length)
      return this.chunk.subarray(inChunk, inChunk + length);
    if (!ahead || length > READ_AHEAD) return this.readDirect(position, length);
    this.chunk = await this.readDirect(position, Math.max(READ_AHEAD, length));
    this.chunkAt = position;
    return this.chunk.subarray(0, Math.min(length, this.chunk.length));
  }

  private async readDirect(position: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    const buffer = Buffer.allocUnsafe(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(
        buffer,
        filled,
        wanted - filled,
        position + filled,
      );
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }

  private truncated(index: number, offset: number, why: string): RecordProblem {
    return this.problem('truncated', index, offset, `the file is cut short: ${why}`, false);
  }

  private problem(
    kind: RecordProblemKind,
    index: number,
    offset: number,
    why: string,
    resumed: boolean,
  ): RecordProblem {
    return {
      kind,
      index,
      offset,
      message: `record ${index} at byte ${offset}: ${why}`,
      why,
      resumed,
    };
  }
}

/** Reads every record of one file, closing it after; for callers that want plain iteration. */
export async function* readTfRecordFile(
  path: string,
  options: ReadOptions = {},
): AsyncGenerator<RecordRead> {
  const reader = await TfRecordReader.open(path);
  try {
    yield* reader.records(options);
  } finally {
    await reader.close();
  }
}

import type { LogEvent } from '../jobs/types';

/**
 * A container's log as Docker sends it (`GET /containers/<id>/logs?timestamps=1` of a container
 * without a TTY: frames of an 8-byte header, the stream and the length, then the bytes), turned
 * into one LogEvent per line, as CloudWatch Logs holds a SageMaker job's output.
 */

/** Splits Docker's multiplexed log stream into lines; feed it chunks as they come. */
export class DockerLogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial = new Map<number, string>();

  constructor(private readonly streamName: string) {}

  /** The complete lines in `chunk` (and what earlier chunks left unfinished). */
  push(chunk: Buffer): LogEvent[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const events: LogEvent[] = [];
    while (this.pending.length >= 8) {
      const kind = this.pending[0] ?? 0;
      const size = this.pending.readUInt32BE(4);
      if (kind > 2 || this.pending[1] !== 0 || this.pending[2] !== 0 || this.pending[3] !== 0) {
        // Not multiplexed (a TTY container): the bytes are the text itself.
        events.push(...this.lines(1, this.pending.toString('utf8')));
        this.pending = Buffer.alloc(0);
        break;
      }
      if (this.pending.length < 8 + size) break;
      events.push(...this.lines(kind, this.pending.subarray(8, 8 + size).toString('utf8')));
      this.pending = this.pending.subarray(8 + size);
    }
    return events;
  }

  /** Whatever is left when the stream ends (a last line without a newline). */
  end(): LogEvent[] {
    const events: LogEvent[] = [];
    for (const [kind, text] of this.partial) if (text) events.push(this.event(text, kind));
    this.partial.clear();
    return events;
  }

  private lines(kind: number, text: string): LogEvent[] {
    const joined = (this.partial.get(kind) ?? '') + text;
    const parts = joined.split('\n');
    this.partial.set(kind, parts.pop() ?? '');
    return parts.map((line) => this.event(line, kind));
  }

  private event(line: string, _kind: number): LogEvent {
    const parsed = parseTimestampedLine(line.replace(/\r$/, ''));
    return { ...parsed, stream: this.streamName };
  }
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) ?(.*)$/s;

/**
 * `2024-01-31T12:00:00.123456789Z message` (Docker's `timestamps` form, also train.log's) ->
 * time and message. A line without a timestamp keeps the whole text and time 0.
 */
export function parseTimestampedLine(line: string): { timestamp: number; message: string } {
  const match = TIMESTAMPED.exec(line);
  if (!match) return { timestamp: 0, message: line };
  const fraction = (match[2] ?? '.0').slice(0, 4);
  const timestamp = Date.parse(`${match[1]}${fraction}${match[3]}`);
  return Number.isNaN(timestamp)
    ? { timestamp: 0, message: line }
    : { timestamp, message: match[4] ?? '' };
}

/** One line of train.log: the event's time, a space, its message. */
export function formatLogLine(event: Pick<LogEvent, 'timestamp' | 'message'>): string {
  return `${new Date(event.timestamp).toISOString()} ${event.message}`;
}

/** The events of a whole (finished) log held in a buffer. */
export function decodeDockerLog(data: Buffer, streamName: string): LogEvent[] {
  const decoder = new DockerLogDecoder(streamName);
  return [...decoder.push(data), ...decoder.end()];
}

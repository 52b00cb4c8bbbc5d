/**
 * Headers of a ustar archive, with a PAX extended header for paths ustar's 100 + 155 bytes cannot
 * hold. Shared by the Docker build context (src/core/image) and model.tar.gz (src/core/local); the
 * callers stream the file bodies, pad them to 512 bytes and end with two zero blocks.
 */
export interface TarEntryHeader {
  /** '/'-separated path inside the archive; folders may end with '/'. */
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
  readonly type: 'file' | 'directory';
}

export function* tarHeaders(entry: TarEntryHeader): Generator<Buffer> {
  const type = entry.type === 'directory' ? '5' : '0';
  const split = splitUstarName(entry.path);
  if (split) {
    yield headerBlock({ ...split, size: entry.size, mode: entry.mode, mtime: entry.mtime, type });
    return;
  }
  const record = paxRecord('path', entry.path);
  yield headerBlock({
    name: 'PaxHeader',
    size: record.length,
    mode: 0o644,
    mtime: entry.mtime,
    type: 'x',
  });
  yield record;
  const pad = (512 - (record.length % 512)) % 512;
  if (pad) yield Buffer.alloc(pad);
  // Readers that ignore PAX still get the path's last 100 bytes.
  yield headerBlock({
    name: entry.path.slice(-100).replace(/^\/+/, ''),
    size: entry.size,
    mode: entry.mode,
    mtime: entry.mtime,
    type,
  });
}

function splitUstarName(path: string): { name: string; prefix?: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path };
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const slash = path.endsWith('/') ? '/' : '';
  for (let i = trimmed.indexOf('/'); i >= 0; i = trimmed.indexOf('/', i + 1)) {
    const prefix = trimmed.slice(0, i);
    const name = `${trimmed.slice(i + 1)}${slash}`;
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return undefined;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function headerBlock(fields: {
  name: string;
  prefix?: string;
  size: number;
  mode: number;
  mtime: Date;
  type: '0' | '5' | 'x';
}): Buffer {
  const block = Buffer.alloc(512);
  const put = (offset: number, length: number, text: string) =>
    block.write(text, offset, length, 'utf8');
  const octal = (offset: number, length: number, value: number) =>
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  if (fields.size > 0o77777777777)
    throw new Error(`a file of ${fields.size} bytes is too large for a ustar archive`);
  put(0, 100, fields.name);
  octal(100, 8, fields.mode);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, fields.size);
  octal(136, 12, Math.max(0, Math.floor(fields.mtime.getTime() / 1000)));
  put(148, 8, '        ');
  put(156, 1, fields.type);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  if (fields.prefix) put(345, 155, fields.prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

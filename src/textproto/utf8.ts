// Reading a config file's bytes. The Object Detection API reads configs as UTF-8 text and fails on
// invalid bytes before parsing; a byte order mark is kept as a character (and then rejected by the
// parser), so decoding must neither strip it nor silently repair bad bytes.

import { pythonOnlyRejects, type TextFormatDiagnostic } from './diagnostics';

/** Index of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes a file's bytes. Invalid UTF-8 becomes U+FFFD in `text` (so the rest can still be
 * parsed and shown) and one error at the first bad byte.
 */
export function decodeUtf8(bytes: Uint8Array): {
  text: string;
  diagnostics: TextFormatDiagnostic[];
} {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const bad = firstInvalidUtf8Byte(bytes);
  if (bad < 0) return { text, diagnostics: [] };
  const offset = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
    bytes.subarray(0, bad),
  ).length;
  const byte = (bytes[bad] as number).toString(16).toUpperCase().padStart(2, '0');
  return {
    text,
    diagnostics: [
      pythonOnlyRejects(
        'invalid-utf8',
        `The file is not valid UTF-8 (byte 0x${byte}): the Object Detection API cannot read it (protoc passes the bytes through). Save it as UTF-8.`,
        offset,
        1,
      ),
    ],
  };
}

// Helpers for serving tests over the stand-in worker (stubWorker.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { pngChunk as chunk } from '../../unit/detection/bombs';

export const STUB_WORKER = join(__dirname, 'stubWorker.ts');

/** A "model folder" for the stand-in worker, with its stub.json. */
export function stubModel(model: { readyWhen?: string; fail?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-stub-model-'));
  writeFileSync(join(dir, 'stub.json'), JSON.stringify(model));
  return dir;
}

/** A valid 1 x 1 PNG that tells the stand-in worker what to do with it (`block=MS`, `exit=N`). */
export function stubImage(instruction = ''): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`stub\0${instruction}`, 'latin1')),
    chunk('IDAT', deflateSync(Buffer.from([0, 200, 100, 50, 255]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

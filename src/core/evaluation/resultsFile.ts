import { open, type FileHandle } from 'node:fs/promises';
import { UserError } from '../errors';
import type { ImageDetections } from './evaluateRecords';

/**
 * A COCO results file (`[{image_id, category_id, bbox: [x, y, w, h], score}, ...]`, pixels),
 * written an image at a time so that memory does not grow with the detections; one detection a
 * line, numbers in full (the file evaluated by pycocotools gives our numbers). `close()` ends the
 * array.
 */
export class CocoResultsFile {
  private first = true;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<CocoResultsFile> {
    try {
      const handle = await open(path, 'w');
      await handle.write('[');
      return new CocoResultsFile(path, handle);
    } catch (error) {
      throw new UserError(`cannot write ${path}: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
  }

  async add({ imageId, detections }: ImageDetections): Promise<void> {
    if (detections.length === 0) return;
    const lines = detections.map((d) => {
      const line = JSON.stringify({
        image_id: imageId,
        category_id: d.categoryId,
        bbox: d.bbox,
        score: d.score,
      });
      const text = `${this.first ? '\n' : ',\n'}${line}`;
      this.first = false;
      return text;
    });
    await this.handle.write(lines.join(''));
  }

  async close(): Promise<void> {
    try {
      await this.handle.write(this.first ? ']\n' : '\n]\n');
    } finally {
      await this.handle.close();
    }
  }
}

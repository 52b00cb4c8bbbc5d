import { sniffImageFormat } from '../../detection';
import { decodeExample, readDetectionExample, TfRecordReader } from '../records';
import type { GalleryImage } from './report';

/** Images larger than this are not sent to the report (its boxes still are). */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/**
 * The encoded images of a report's gallery, read back from their records by offset, as data: URLs
 * keyed by image id (the webview's CSP allows data: images and nothing else from outside). An
 * image whose file is gone, changed or too large is left out; the report draws its boxes alone.
 */
export async function readGalleryImages(
  gallery: readonly GalleryImage[],
  signal?: AbortSignal,
): Promise<Record<number, string>> {
  const images: Record<number, string> = {};
  const byFile = new Map<string, GalleryImage[]>();
  for (const image of gallery) byFile.set(image.file, [...(byFile.get(image.file) ?? []), image]);
  for (const [file, list] of byFile) {
    let reader: TfRecordReader;
    try {
      reader = await TfRecordReader.open(file);
    } catch {
      continue;
    }
    try {
      for (const image of list) {
        signal?.throwIfAborted();
        const read = await reader.readAt(image.offset, image.record, {
          maxRecordBytes: MAX_IMAGE_BYTES * 2,
        });
        if (!('record' in read)) continue;
        try {
          const encoded = readDetectionExample(decodeExample(read.record.data)).encoded;
          const format = encoded && sniffImageFormat(encoded);
          if (!encoded || !format || encoded.length > MAX_IMAGE_BYTES) continue;
          images[image.imageId] = `data:image/${format};base64,${encoded.toString('base64')}`;
        } catch {
          continue;
        }
      }
    } finally {
      await reader.close();
    }
  }
  return images;
}

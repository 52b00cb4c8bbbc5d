import { sniffImageFormat } from '../../detection/imageHeader';
import { decodeExample, ExampleFormatError } from './exampleDecoder';
import { readDetectionExample } from './detection';
import { checkDetectionExample } from './inspect';
import type { RecordLabels } from './labels';
import type { RecordPageItem } from './pageTypes';
import type { RecordSpan, TfRecordReader } from './reader';

export type { RecordPageItem, RecordPageObject } from './pageTypes';

/**
 * One page of a TFRecord file for a viewer: each record's image (its bytes, for a data: URI), its
 * boxes with class names from the label map, and its problems. Only the page's records are read
 * (by offset, from a `scan`), so a viewer pages through a large file without reading it whole.
 */
/** Most bytes of images one page carries (larger images are left out, with a problem). */
export const MAX_PAGE_IMAGE_BYTES = 32 * 1024 * 1024;

export async function readRecordPage(
  reader: TfRecordReader,
  spans: readonly RecordSpan[],
  from: number,
  count: number,
  labels: RecordLabels = {},
): Promise<RecordPageItem[]> {
  const items: RecordPageItem[] = [];
  let imageBytes = 0;
  for (const span of spans.slice(from, from + count)) {
    const read = await reader.readAt(span.offset, span.index);
    if ('problem' in read) {
      items.push({
        index: span.index,
        offset: span.offset,
        objects: [],
        problems: [read.problem.why],
      });
      continue;
    }
    let decoded;
    try {
      decoded = decodeExample(read.record.data);
    } catch (e) {
      if (!(e instanceof ExampleFormatError)) throw e;
      items.push({
        index: span.index,
        offset: span.offset,
        objects: [],
        problems: [`not a tf.Example: ${e.message}`],
      });
      continue;
    }
    const example = readDetectionExample(decoded);
    const problems = checkDetectionExample(example, labels).map((p) =>
      p.object !== undefined ? `object ${p.object}: ${p.message}` : p.message,
    );
    const names = labels.labelMap?.names;
    const format = example.encoded ? sniffImageFormat(example.encoded) : undefined;
    let image: RecordPageItem['image'];
    if (example.encoded && format) {
      if (imageBytes + example.encoded.length <= MAX_PAGE_IMAGE_BYTES) {
        imageBytes += example.encoded.length;
        image = {
          mime: format === 'jpeg' ? 'image/jpeg' : 'image/png',
          base64: example.encoded.toString('base64'),
        };
      } else
        problems.push('the image is not shown: this page holds too many bytes of images already');
    }
    items.push({
      index: span.index,
      offset: span.offset,
      ...(example.filename !== undefined ? { filename: example.filename } : {}),
      ...(example.width !== undefined ? { width: example.width } : {}),
      ...(example.height !== undefined ? { height: example.height } : {}),
      ...(image ? { image } : {}),
      objects: example.objects.map((o) => {
        const name = (o.label !== undefined ? names?.get(o.label) : undefined) ?? o.text;
        return {
          xmin: o.xmin,
          ymin: o.ymin,
          xmax: o.xmax,
          ymax: o.ymax,
          ...(o.label !== undefined ? { label: o.label } : {}),
          ...(name !== undefined ? { name } : {}),
        };
      }),
      problems,
    });
  }
  return items;
}

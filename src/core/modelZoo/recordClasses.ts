// The classes a project's TFRecords hold, for `tfod init --records` without a label map: every
// object's image/object/class/label (the id the API trains on) and image/object/class/text (its
// name), read with the streaming reader. num_classes is the highest id and label_map.pbtxt is
// written from the id -> text pairs. Anything that would make those two wrong is refused, with the
// file and record: an unreadable file or record, an object without an id, an id named two ways,
// a name given two ids.

import { isAbsolute, resolve } from 'node:path';
import { quoteString } from '../../textproto';
import { CancelledError, UserError } from '../errors';
import {
  decodeExample,
  ExampleFormatError,
  expandRecordPath,
  readDetectionExample,
  TfRecordReader,
} from '../records';

export interface RecordClasses {
  /** The highest class id in the records. */
  readonly numClasses: number;
  /** id -> name, in id order; an id whose objects carry no class/text is named `class_<id>`. */
  readonly names: ReadonlyMap<number, string>;
  /** Ids that had no class/text on any object (named `class_<id>` in the label map). */
  readonly unnamed: readonly number[];
  readonly files: readonly string[];
  readonly records: number;
  readonly objects: number;
}

const FIX_IDS =
  'Give the label map with --label-map, or convert the data again (tfod data convert writes ids and names that agree)';

/** Where a record is, for messages. */
const at = (file: string, index: number) => `${file}, record ${index}`;

/**
 * The classes of the records `pattern` names (a file, a shard set or a glob, relative to
 * `baseDir` as the config will name them).
 */
export async function readRecordClasses(
  pattern: string,
  options: { readonly baseDir: string; readonly signal?: AbortSignal | undefined },
): Promise<RecordClasses> {
  const path = isAbsolute(pattern) ? pattern : resolve(options.baseDir, pattern);
  const set = await expandRecordPath(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      `cannot list the records ${path}: ${error.code === 'ENOENT' ? 'the folder does not exist' : error.message}`,
      'Give --records relative to the project folder, as pipeline.config will name them',
    );
  });
  if (set.missing.length > 0)
    throw new UserError(
      `the records ${pattern} lack ${set.missing.length} shard(s), first ${set.missing[0]}`,
      'Copy every shard into place, or give --label-map so that the records are not read',
    );
  if (set.files.length === 0)
    throw new UserError(
      `no file matches the records ${pattern} in ${options.baseDir}`,
      'Give --records relative to the project folder, as pipeline.config will name them',
    );

  const textOf = new Map<number, { text: string; where: string }>();
  const idOf = new Map<string, { id: number; where: string }>();
  const seen = new Set<number>();
  let records = 0;
  let objects = 0;
  for (const file of set.files) {
    const reader = await TfRecordReader.open(file).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(
        `cannot read the records ${file}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`,
        'Check the --records path, or give --label-map',
      );
    });
    try {
      for await (const item of reader.records(options.signal ? { signal: options.signal } : {})) {
        if ('problem' in item)
          throw new UserError(
            `cannot read the records ${file}: ${item.problem.message}`,
            'The file is damaged or not a TFRecord file: convert the data again, or give --label-map',
          );
        const where = at(file, item.record.index);
        let example;
        try {
          example = readDetectionExample(decodeExample(item.record.data));
        } catch (error) {
          if (error instanceof ExampleFormatError)
            throw new UserError(
              `${where} is not a tf.Example: ${error.message}`,
              'Convert the data again, or give --label-map',
            );
          throw error;
        }
        records++;
        for (const [i, object] of example.objects.entries()) {
          objects++;
          const id = object.label;
          // The API's decoder reads a missing id as 0, the background: the object would be lost.
          if (id === undefined || !Number.isInteger(id) || id < 1)
            throw new UserError(
              `${where}, object ${i} has ${id === undefined ? 'no image/object/class/label' : `image/object/class/label ${id}`}: num_classes cannot be taken from records without class ids (1 and up)`,
              FIX_IDS,
            );
          seen.add(id);
          const text = object.text ?? '';
          if (text === '') continue;
          const named = textOf.get(id);
          if (named && named.text !== text)
            throw new UserError(
              `class id ${id} is "${named.text}" in ${named.where} but "${text}" in ${where}: the records' ids and names disagree`,
              FIX_IDS,
            );
          const numbered = idOf.get(text);
          if (numbered && numbered.id !== id)
            throw new UserError(
              `class "${text}" is id ${numbered.id} in ${numbered.where} but id ${id} in ${where}: the records' ids and names disagree`,
              FIX_IDS,
            );
          if (!named) textOf.set(id, { text, where });
          if (!numbered) idOf.set(text, { id, where });
        }
      }
    } finally {
      await reader.close();
    }
    if (options.signal?.aborted) throw new CancelledError();
  }
  if (seen.size === 0)
    throw new UserError(
      `the records ${pattern} hold no objects (${records} records in ${set.files.length} file(s)): there are no classes to take num_classes from`,
      'Give --label-map, or records with boxes',
    );
  const ids = [...seen].sort((a, b) => a - b);
  const names = new Map(ids.map((id) => [id, textOf.get(id)?.text ?? `class_${id}`]));
  return {
    numClasses: ids[ids.length - 1] as number,
    names,
    unnamed: ids.filter((id) => !textOf.has(id)),
    files: set.files,
    records,
    objects,
  };
}

/** label_map.pbtxt for id -> name pairs. */
export function labelMapText(names: ReadonlyMap<number, string>): string {
  return [...names]
    .sort(([a], [b]) => a - b)
    .map(([id, name]) => `item {\n  id: ${id}\n  name: ${quoteString(name, '"')}\n}\n`)
    .join('');
}

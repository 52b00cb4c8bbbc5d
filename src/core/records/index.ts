/**
 * TFRecord files of tf.train.Example records, read and written without TensorFlow.
 *
 * Reading (streaming, by offset, never a whole file in memory):
 *   const reader = await TfRecordReader.open(path);
 *   for await (const item of reader.records({ from?, limit?, signal?, maxRecordBytes? }))
 *     'record' in item ? item.record (index, offset, data) : item.problem (kind, index, offset, message)
 *   reader.scan()             frame places only (12-byte headers), for paging
 *   reader.readAt(offset, i)  one record by its frame offset
 *   readTfRecordFile(path)    the same as records(), opening and closing the file
 * Problems are yielded, never thrown: 'data-crc' and 'too-large' skip one record and go on;
 * 'length-crc', 'truncated' and 'compressed' end the file.
 *
 * Sharded names: expandRecordPath('train.record-00000-of-00004' | 'train.record-?????-of-00004' | glob)
 *   -> { files, missing }; shardName(prefix, i, n); shardNames(path).
 *
 * tf.Example: decodeExample(data) -> { features: Map<key, {bytes}|{floats}|{int64s}>, unknownFields }
 *   (throws ExampleFormatError on malformed bytes); encodeExample(features) writes one.
 * Object Detection API keys: readDetectionExample(decoded) -> DetectionExample (encoded, format,
 *   height, width, filename, sourceId, sha256, objects[{xmin, ymin, xmax, ymax, text, label,
 *   difficult, truncated, view}], problems); encodeDetectionExample(input); DETECTION_KEYS.
 *
 * Writing frames: tfRecordFrame(data), tfRecordFile(records); crc32c, maskedCrc32c.
 *
 * Inspecting: findRecordLabels(files, { labelMap?, config?, roots? }) -> the label map and
 *   num_classes the records should agree with (found as the validator finds a config's files);
 *   inspectRecords(files, { labels, signal, onProgress, missing }) -> counts per class, image
 *   sizes, box sizes and every problem with file, record, offset and object;
 *   checkDetectionExample(example, labels) -> one record's problems;
 *   readRecordPage(reader, spans, from, count, labels) -> a viewer's page (images, named boxes).
 */
export { crc32c, maskCrc, maskedCrc32c } from './crc32c';
export {
  DETECTION_KEY_KINDS,
  DETECTION_KEYS,
  encodeDetectionExample,
  encodeDetectionExampleParts,
  readDetectionExample,
  type DetectionExample,
  type DetectionExampleInput,
  type DetectionObject,
} from './detection';
export { encodeExample, encodeExampleParts, type EncodedParts, type FeatureValue } from './example';
export {
  decodeExample,
  ExampleFormatError,
  type DecodedExample,
  type DecodedFeature,
} from './exampleDecoder';
export {
  DEFAULT_MAX_RECORD_BYTES,
  readTfRecordFile,
  TfRecordReader,
  type ReadOptions,
  type RecordProblem,
  type RecordProblemKind,
  type RecordRead,
  type RecordSpan,
  type TfRecord,
} from './reader';
export { expandRecordPath, isGlob, shardName, shardNames, type RecordFileSet } from './shards';
export { tfRecordFile, tfRecordFrame, tfRecordFrameParts } from './tfrecord';
export {
  BOX_SIZE_BUCKETS,
  checkDetectionExample,
  inspectRecords,
  type ClassCount,
  type InspectOptions,
  type ProblemCode,
  type RecordsInspection,
  type RecordsProblem,
} from './inspect';
export {
  findRecordLabels,
  inputPathNames,
  readPipelineInputs,
  type FindLabelsOptions,
  type PipelineInputs,
  type RecordLabels,
} from './labels';
export {
  MAX_PAGE_IMAGE_BYTES,
  readRecordPage,
  type RecordPageItem,
  type RecordPageObject,
} from './page';

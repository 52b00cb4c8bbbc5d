/**
 * From annotations to the Object Detection API's TFRecords.
 *
 *   convertAnnotations({ from: 'voc'|'coco'|'csv'|'yolo', input, out, images?, labelMap?,
 *                        valFraction?, shards?, seed?, signal?, onProgress? }) -> ConvertResult
 *     writes train.record-NNNNN-of-MMMMM, validation.record-... and label_map.pbtxt into `out`
 *     (renamed into place only when complete), with every problem (file, object, what was done).
 *   readVoc / readCoco / readCsv / readYolo(input, images?) -> AnnotationSet (annotations only,
 *     no pixels); splitImages(classesOfImages, fraction, seed) -> validation flags;
 *   jpegOrientation(bytes) -> EXIF orientation; detectAnnotationFormat(path) -> format or undefined.
 */
export { readCoco } from './coco';
export {
  convertAnnotations,
  type ConvertedClass,
  type ConvertOptions,
  type ConvertResult,
} from './convert';
export { CSV_COLUMNS, parseCsv, readCsv } from './csv';
export { detectAnnotationFormat } from './detect';
export { jpegOrientation } from './exif';
export { splitImages } from './split';
export {
  ANNOTATION_FORMATS,
  type AnnotatedImage,
  type AnnotatedObject,
  type AnnotationFormat,
  type AnnotationSet,
  type ConvertProblem,
} from './types';
export { readVoc } from './voc';
export { readYolo, yamlNames } from './yolo';

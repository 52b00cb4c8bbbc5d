/** One object as an annotation file gives it: a class name and a box in pixels of the annotated image. */
export interface AnnotatedObject {
  readonly name: string;
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  readonly difficult?: boolean;
  readonly truncated?: boolean;
  /** VOC's `pose` (the API's `view`). */
  readonly view?: string;
}

/**
 * One image of an annotation set, without its pixels: where its annotation is, which image file it
 * names, the size the annotation says (when it says one) and its objects.
 */
export interface AnnotatedImage {
  /** The file (and place in it) the annotation comes from, for problems: `a.xml`, `train.csv:12`. */
  readonly source: string;
  /** The image's name as the annotation gives it (image/filename). */
  readonly filename: string;
  /** Where the image file should be, in the order to try. */
  readonly candidates: readonly string[];
  readonly width?: number;
  readonly height?: number;
  /** Boxes in pixels; YOLO's are normalised and marked so. */
  readonly objects: readonly AnnotatedObject[];
  readonly normalised?: boolean;
}

export type ProblemSeverity = 'error' | 'warning';

/** A problem of the conversion, with the file and object it is in, and what was done about it. */
export interface ConvertProblem {
  readonly file: string;
  /** 0-based object index in its image's annotation. */
  readonly object?: number;
  readonly code: string;
  readonly severity: ProblemSeverity;
  readonly message: string;
}

/** What a format reader gives: every image's annotation and, for formats that have one, the class list in id order. */
export interface AnnotationSet {
  readonly format: AnnotationFormat;
  readonly images: readonly AnnotatedImage[];
  /** Classes in id order (YOLO's list, COCO's categories by id); undefined: sorted by name. */
  readonly classes?: readonly string[];
  readonly problems: readonly ConvertProblem[];
}

export type AnnotationFormat = 'voc' | 'coco' | 'csv' | 'yolo';
export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['voc', 'coco', 'csv', 'yolo'];

// Validation of one text-format file: the parse (lexical and syntax verdicts), the schema walk
// (fields, types, enums, duplicates, oneofs), the Object Detection API's own run-time rules, and,
// with a project host, the checks against the other files of the project.

import { decodeUtf8, parse, type DocumentNode } from '../../textproto';
import { lazyDocument } from '../../textproto/lazyDocument';
import { objectDetectionSchema } from '../objectDetection';
import { LABEL_MAP, PIPELINE_CONFIG, shortName, type MessageType, type Schema } from '../model';
import { configDiagnostics } from './configRules';
import { fromTextFormat, type ValidationDiagnostic } from './diagnostic';
import { detectDocumentType, type DocumentType } from './documentType';
import { fitsSchema, scanSimpleLabelMap } from './labelMapFast';
import {
  labelMapDiagnostics,
  labelMapTableDiagnostics,
  readLabelMap,
  type LabelMapItem,
  type LabelMapSummary,
} from './labelMapRules';
import { projectDiagnostics, type ProjectHost } from './project';
import { ScalarValues, SchemaChecks } from './schemaChecks';
import { trainingDiagnostics, type TrainingTarget } from './trainingRules';
import { walkSchema } from './walker';

export interface ValidateOptions {
  /** Defaults to the built-in Object Detection schema. */
  readonly schema?: Schema;
  /** The file's path (absolute for project checks); its name helps decide what it holds. */
  readonly path?: string;
  /** The root message; decided from header, name and content when absent. */
  readonly root?: MessageType | string;
  /** Enables the checks against other files. */
  readonly host?: ProjectHost;
  /** A parsed tree of exactly this text, to reuse (the server's parse cache). */
  readonly parsed?: DocumentNode;
  /** Reads label maps for cross-file checks; defaults to one that parses them through the host. */
  readonly labelMaps?: LabelMapCache;
  /** The image that trains the config and whether it is about to (see TrainingTarget). */
  readonly target?: TrainingTarget;
}

export interface ValidationResult {
  readonly doc: DocumentNode;
  readonly type: DocumentType;
  readonly diagnostics: ValidationDiagnostic[];
  /** Typed values of the scalars, for hover and the rules. */
  readonly values: ScalarValues;
  /** Other files the result depends on (absolute paths). */
  readonly dependencies: readonly string[];
  /** For label maps: ids and names. */
  readonly labelMap?: LabelMapSummary;
}

let builtin: Schema | undefined;

export function defaultSchema(): Schema {
  builtin ??= objectDetectionSchema();
  return builtin;
}

const ORDER = { error: 0, warning: 1, information: 2 } as const;

export function validateText(text: string, options: ValidateOptions = {}): ValidationResult {
  const schema = options.schema ?? defaultSchema();
  const reuse = options.parsed && options.parsed.text === text ? options.parsed : undefined;
  // A label map in the plain shape skips the tree (built when read) and the schema walk.
  const simple = reuse ? undefined : scanSimpleLabelMap(text);
  const doc = reuse ?? (simple ? lazyDocument(text) : parse(text));
  const diagnostics: ValidationDiagnostic[] = doc.diagnostics.map((d) =>
    fromTextFormat(d, 'text-format'),
  );
  const type = resolveType(schema, doc, options);
  let values = new ScalarValues();
  const dependencies = new Set<string>();
  let labelMap: LabelMapSummary | undefined;
  if (type.unknownHeader)
    diagnostics.push({
      code: 'unknown-message-type',
      message: `The header names \`${type.unknownHeader.name}\`, which the schema does not have: only the syntax is checked.`,
      severity: 'information',
      origin: 'schema',
      offset: type.unknownHeader.offset,
      length: type.unknownHeader.length,
    });
  if (simple && type.root?.fullName === LABEL_MAP && fitsSchema(schema, type.root)) {
    // The parsers and the schema walk have nothing to say about this shape (see labelMapFast.ts).
    labelMap = lazyItems(doc, values, simple.count === 0 ? undefined : maxOf(simple));
    diagnostics.push(...labelMapTableDiagnostics(simple));
  } else if (type.root) {
    const checks = new SchemaChecks(schema, text);
    walkSchema(doc, schema, type.root, checks);
    diagnostics.push(...checks.diagnostics);
    values = checks.values;
    const broken = brokenRanges(diagnostics);
    if (type.root.fullName === LABEL_MAP) {
      labelMap = readLabelMap(doc, values, broken);
      diagnostics.push(...labelMapDiagnostics(labelMap));
    } else if (type.root.fullName === PIPELINE_CONFIG) {
      diagnostics.push(...configDiagnostics(doc, values, broken));
      diagnostics.push(...trainingDiagnostics(doc, values, options.target ?? {}, broken));
      if (options.host && options.path) {
        const cache = options.labelMaps ?? new LabelMapCache(options.host, schema);
        diagnostics.push(
          ...projectDiagnostics(doc, values, {
            host: options.host,
            path: options.path,
            readLabelMap: (p) => cache.read(p),
            dependencies,
          }),
        );
      }
    }
  }
  diagnostics.sort((a, b) => a.offset - b.offset || ORDER[a.severity] - ORDER[b.severity]);
  return {
    doc,
    type,
    diagnostics: withoutRepeats(diagnostics),
    values,
    dependencies: [...dependencies],
    ...(labelMap ? { labelMap } : {}),
  };
}

/**
 * One diagnostic per problem: the project checks and the training rules both see placeholders
 * and a classification type for a detection checkpoint. An error at the same place wins over
 * information; otherwise the project check's (it knows the files) stays.
 */
function withoutRepeats(sorted: ValidationDiagnostic[]): ValidationDiagnostic[] {
  const placeholder = new Set([
    'path-placeholder',
    'template-placeholder',
    'placeholder-before-training',
  ]);
  const out: ValidationDiagnostic[] = [];
  for (const d of sorted) {
    // Sorted by offset: only the diagnostics at the same offset, just before, can repeat it.
    let same = -1;
    for (
      let i = out.length - 1;
      i >= 0 && (out[i] as ValidationDiagnostic).offset === d.offset;
      i--
    ) {
      const o = out[i] as ValidationDiagnostic;
      if (o.code === d.code || (placeholder.has(o.code) && placeholder.has(d.code))) same = i;
    }
    if (same < 0) out.push(d);
    else if (
      d.origin === 'project' &&
      ORDER[d.severity] <= ORDER[(out[same] as ValidationDiagnostic).severity]
    )
      out[same] = d;
  }
  return out;
}

/** The largest id of a non-empty simple label map (an item without `id` reads as 0). */
function maxOf(simple: { count: number; id(i: number): number }): number {
  let max = simple.id(0);
  for (let i = 1; i < simple.count; i++) if (simple.id(i) > max) max = simple.id(i);
  return max;
}

/** A summary whose items (which point into the tree) are read from the tree when first asked. */
function lazyItems(
  doc: DocumentNode,
  values: ScalarValues,
  maxId: number | undefined,
): LabelMapSummary {
  let items: readonly LabelMapItem[] | undefined;
  return {
    get items(): readonly LabelMapItem[] {
      items ??= readLabelMap(doc, values).items;
      return items;
    },
    maxId,
  };
}

/** Validates a file's bytes as the API reads them: invalid UTF-8 fails before parsing. */
export function validateBytes(
  bytes: Uint8Array,
  options: ValidateOptions = {},
): ValidationResult & { text: string } {
  const decoded = decodeUtf8(bytes);
  const result = validateText(decoded.text, options);
  const extra = decoded.diagnostics.map((d) => fromTextFormat(d, 'text-format'));
  if (extra.length > 0) result.diagnostics.unshift(...extra);
  return { ...result, text: decoded.text };
}

/** Whether a range holds an error of the parsers (binary search over their sorted offsets). */
function brokenRanges(
  diagnostics: readonly ValidationDiagnostic[],
): (range: { offset: number; length: number }) => boolean {
  const offsets = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => d.offset)
    .sort((a, b) => a - b);
  return (range) => {
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((offsets[mid] as number) < range.offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < offsets.length && (offsets[lo] as number) < range.offset + range.length;
  };
}

function resolveType(schema: Schema, doc: DocumentNode, options: ValidateOptions): DocumentType {
  if (options.root !== undefined) {
    const root = typeof options.root === 'string' ? schema.message(options.root) : options.root;
    return { root, reason: 'explicit' };
  }
  return detectDocumentType(schema, doc, options.path);
}

/** Label maps read for cross-file checks, re-read only when their text changes. */
export class LabelMapCache {
  private readonly entries = new Map<
    string,
    { text: string; summary: LabelMapSummary; firstError: ValidationDiagnostic | undefined }
  >();

  constructor(
    private readonly host: ProjectHost,
    private readonly schema: Schema,
  ) {}

  read(
    path: string,
  ):
    | { summary: LabelMapSummary; firstError: ValidationDiagnostic | undefined; text: string }
    | undefined {
    const text = this.host.readText(path);
    if (text === undefined) return undefined;
    const cached = this.entries.get(path);
    if (cached && cached.text === text) return cached;
    const result = validateText(text, { schema: this.schema, root: LABEL_MAP, path });
    const entry = {
      text,
      summary: result.labelMap ?? { items: [], maxId: undefined },
      firstError: result.diagnostics.find((d) => d.severity === 'error'),
    };
    this.entries.set(path, entry);
    return entry;
  }

  forget(path: string): void {
    this.entries.delete(path);
  }
}

/** `TrainEvalPipelineConfig` for messages and hover titles. */
export function typeName(type: MessageType | undefined): string {
  return type ? shortName(type.fullName) : 'text format';
}

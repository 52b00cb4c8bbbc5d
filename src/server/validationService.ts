// The language server's state around the pure validator: the schema in use (built-in or from the
// user's proto folder), the project host (open documents over the file system), a parse and
// validation cache per URI + version, and which documents depend on which files.

import type { Diagnostic } from 'vscode-languageserver';
import { loadSchemaFromProtoFolder, type Schema } from '../schema';
import {
  defaultSchema,
  LabelMapCache,
  NodeProjectHost,
  validateText,
  type RecordsSummary,
  type ValidationResult,
} from '../schema/validate';
import { LineIndex } from '../textproto';
import { toLspDiagnostic } from './lspDiagnostics';
import { uriToPath } from './uris';

interface CacheEntry {
  readonly version: number;
  readonly text: string;
  readonly result: ValidationResult;
  readonly lines: LineIndex;
  readonly diagnostics: Diagnostic[];
}

export interface OpenDocument {
  readonly uri: string;
  readonly version: number;
  getText(): string;
}

export class ValidationService {
  private schema: Schema = defaultSchema();
  private host: NodeProjectHost;
  private labelMaps: LabelMapCache;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly otherLines = new Map<string, { text: string; lines: LineIndex }>();

  constructor(
    roots: readonly string[],
    private readonly openText: (path: string) => string | undefined,
    /** Reads TFRecord files for input_path (the message loop's service has one; the worker's not). */
    private readonly records?: (files: readonly string[]) => RecordsSummary | 'pending' | undefined,
  ) {
    this.host = new NodeProjectHost(roots, openText, records);
    this.labelMaps = new LabelMapCache(this.host, this.schema);
  }

  private architecture: string | undefined;

  /** The training image's ARCHITECTURE: the TF version the training rules check against. */
  setArchitecture(architecture: string | undefined): void {
    const value = architecture?.trim() || undefined;
    if (value === this.architecture) return;
    this.architecture = value;
    this.cache.clear();
  }

  setRoots(roots: readonly string[]): void {
    this.host = new NodeProjectHost(roots, this.openText, this.records);
    this.labelMaps = new LabelMapCache(this.host, this.schema);
    this.cache.clear();
  }

  /** Uses the protos in `folder` (a newer or forked API), or the built-in schema when empty. */
  async useProtoFolder(folder: string | undefined): Promise<string[]> {
    if (!folder) {
      this.setSchema(defaultSchema());
      return [];
    }
    const loaded = await loadSchemaFromProtoFolder(folder);
    this.setSchema(loaded.schema);
    return loaded.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
  }

  private setSchema(schema: Schema): void {
    this.schema = schema;
    this.labelMaps = new LabelMapCache(this.host, schema);
    this.cache.clear();
  }

  /** The schema and project host in use, for the language features (completion, hover, ...). */
  get currentSchema(): Schema {
    return this.schema;
  }

  get projectHost(): NodeProjectHost {
    return this.host;
  }

  /** The line index of a document: its validation's when that version is cached, else built
   *  alone (formatting needs lines, not a validation). */
  lines(document: OpenDocument): LineIndex {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached.lines;
    return new LineIndex(document.getText());
  }

  /** LSP diagnostics for a document, reusing the result of the same version. */
  diagnostics(document: OpenDocument): Diagnostic[] {
    return this.entry(document).diagnostics;
  }

  result(document: OpenDocument): ValidationResult {
    return this.entry(document).result;
  }

  private entry(document: OpenDocument): CacheEntry {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const path = uriToPath(document.uri);
    const result = validateText(text, {
      schema: this.schema,
      target: { architecture: this.architecture },
      ...(path ? { path, host: this.host, labelMaps: this.labelMaps } : {}),
    });
    const lines = new LineIndex(text);
    const diagnostics = result.diagnostics.map((d) =>
      toLspDiagnostic(d, lines, document.uri, (p) => this.linesOf(p)),
    );
    const entry = { version: document.version, text, result, lines, diagnostics };
    this.cache.set(document.uri, entry);
    return entry;
  }

  private linesOf(path: string): LineIndex | undefined {
    const text = this.host.readText(path);
    if (text === undefined) return undefined;
    const cached = this.otherLines.get(path);
    if (cached?.text === text) return cached.lines;
    const lines = new LineIndex(text);
    this.otherLines.set(path, { text, lines });
    return lines;
  }

  /** The files the validation of this version read, when it is cached. */
  dependenciesOf(document: OpenDocument): readonly string[] | undefined {
    const cached = this.cache.get(document.uri);
    return cached && cached.version === document.version ? cached.result.dependencies : undefined;
  }

  /** Open documents whose last validation read `path`. */
  dependents(path: string): string[] {
    const out: string[] = [];
    for (const [uri, entry] of this.cache)
      if (entry.result.dependencies.includes(path)) out.push(uri);
    return out;
  }

  /** Files changed on disk: forget what was read and every cached result (paths may now resolve
   *  elsewhere), so the next validation of each open document reads afresh. */
  filesChanged(paths: readonly string[]): void {
    this.host.invalidate();
    for (const p of paths) {
      this.labelMaps.forget(p);
      this.otherLines.delete(p);
    }
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

// What each language feature answers for one document, in LSP terms: positions become offsets for
// the pure language service (src/schema/language) and its offsets become ranges again. The same
// function runs on the message loop (small documents) and in the worker (heavy ones, see
// heavyWorker.ts), so the two can never answer differently.

import {
  CancellationToken,
  CodeActionKind,
  CompletionItemKind,
  CompletionItemTag,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CodeAction as LspCodeAction,
  type CodeActionParams,
  type CompletionItem,
  type CompletionParams,
  type DefinitionParams,
  type DocumentFormattingParams,
  type DocumentLink,
  type DocumentLinkParams,
  type DocumentRangeFormattingParams,
  type DocumentSymbol,
  type DocumentSymbolParams,
  type FoldingRange,
  type FoldingRangeParams,
  type Hover,
  type HoverParams,
  type Location,
  type Range,
  type SelectionRange,
  type SelectionRangeParams,
  type SemanticTokens,
  type SemanticTokensParams,
  type SemanticTokensRangeParams,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import {
  codeActions,
  complete,
  definition,
  documentLinks,
  documentSymbols,
  isFixable,
  foldingRanges,
  formatDocument,
  formatRange,
  hover,
  languageContext,
  selectionRanges,
  semanticTokens,
  type CompletionKind,
  type LanguageContext,
  type SymbolEntry,
} from '../schema/language';
import type { LineIndex, TextEdit } from '../textproto';
import { plainMessage } from './lspDiagnostics';
import { encodeSemanticTokens } from './semanticTokens';
import { pathToUri, uriToPath } from './uris';
import type { OpenDocument, ValidationService } from './validationService';

/** Each feature's LSP method, with its params and its answer (besides null). */
interface Features {
  'textDocument/completion': [CompletionParams, CompletionItem[]];
  'textDocument/hover': [HoverParams, Hover];
  'textDocument/formatting': [DocumentFormattingParams, LspTextEdit[]];
  'textDocument/rangeFormatting': [DocumentRangeFormattingParams, LspTextEdit[]];
  'textDocument/codeAction': [CodeActionParams, LspCodeAction[]];
  'textDocument/documentSymbol': [DocumentSymbolParams, DocumentSymbol[]];
  'textDocument/foldingRange': [FoldingRangeParams, FoldingRange[]];
  'textDocument/selectionRange': [SelectionRangeParams, SelectionRange[]];
  'textDocument/documentLink': [DocumentLinkParams, DocumentLink[]];
  'textDocument/definition': [DefinitionParams, Location];
  'textDocument/semanticTokens/full': [SemanticTokensParams, SemanticTokens];
  'textDocument/semanticTokens/range': [SemanticTokensRangeParams, SemanticTokens];
}

export type FeatureMethod = keyof Features;
export type FeatureParams<M extends FeatureMethod> = Features[M][0];
export type FeatureResult<M extends FeatureMethod> = Features[M][1] | null;

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  message: CompletionItemKind.Module,
  enum: CompletionItemKind.EnumMember,
  value: CompletionItemKind.Value,
  template: CompletionItemKind.Snippet,
};

/**
 * One document as the features see it. The context (which needs the document validated) is built
 * on first use: formatting needs only the text and its lines, and a heavy document's formatting
 * should not wait for a validation it does not use.
 */
class FeatureInput {
  private context: LanguageContext | undefined;
  private lineIndex: LineIndex | undefined;

  constructor(
    private readonly service: ValidationService,
    readonly document: OpenDocument,
    /** Whether the feature reads the validation (all but formatting). */
    private readonly validates: boolean,
  ) {}

  get uri(): string {
    return this.document.uri;
  }

  get text(): string {
    return this.document.getText();
  }

  get lines(): LineIndex {
    if (!this.lineIndex) {
      // A feature that validates anyway takes its validation's lines rather than build its own.
      if (this.validates) this.service.result(this.document);
      this.lineIndex = this.service.lines(this.document);
    }
    return this.lineIndex;
  }

  get ctx(): LanguageContext {
    if (this.context) return this.context;
    const path = uriToPath(this.document.uri);
    this.context = languageContext(this.document.getText(), {
      schema: this.service.currentSchema,
      result: this.service.result(this.document),
      ...(path ? { path, host: this.service.projectHost } : {}),
    });
    return this.context;
  }

  range(offset: number, length: number): Range {
    return { start: this.lines.positionAt(offset), end: this.lines.positionAt(offset + length) };
  }

  edit(e: TextEdit): LspTextEdit {
    return { range: this.range(e.offset, e.length), newText: e.newText };
  }
}

type Compute<M extends FeatureMethod> = (
  input: FeatureInput,
  params: FeatureParams<M>,
  service: ValidationService,
  token: CancellationToken,
) => FeatureResult<M>;

const FEATURES: { [M in FeatureMethod]: Compute<M> } = {
  'textDocument/completion': (o, params, _service, token) => {
    const entries = complete(o.ctx, o.lines.offsetAt(params.position));
    if (token.isCancellationRequested) return null;
    return entries.map((e): CompletionItem => ({
      label: e.label,
      kind: COMPLETION_KIND[e.kind],
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.documentation
        ? { documentation: { kind: MarkupKind.Markdown, value: e.documentation } }
        : {}),
      ...(e.deprecated ? { tags: [CompletionItemTag.Deprecated] } : {}),
      ...(e.sortText ? { sortText: e.sortText } : {}),
      filterText: e.label.replace(/ .*/, ''),
      insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      textEdit: { range: o.range(e.replace.offset, e.replace.length), newText: e.insertText },
    }));
  },

  'textDocument/hover': (o, params, _service, token) => {
    const h = hover(o.ctx, o.lines.offsetAt(params.position));
    if (!h || token.isCancellationRequested) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: h.contents },
      range: o.range(h.offset, h.length),
    };
  },

  'textDocument/formatting': (o, _params, _service, token) => {
    const result = formatDocument(o.text);
    if (token.isCancellationRequested) return null;
    return result.edits.map((e) => o.edit(e));
  },

  'textDocument/rangeFormatting': (o, params, _service, token) => {
    const start = o.lines.offsetAt(params.range.start);
    const result = formatRange(o.text, start, o.lines.offsetAt(params.range.end) - start);
    if (token.isCancellationRequested) return null;
    return result.edits.map((e) => o.edit(e));
  },

  'textDocument/codeAction': (o, params, service, token) => {
    const start = o.lines.offsetAt(params.range.start);
    const end = o.lines.offsetAt(params.range.end);
    // The server's own diagnostics of this version that touch the range.
    const wanted = service
      .result(o.document)
      .diagnostics.filter((d) => isFixable(d) && d.offset <= end && d.offset + d.length >= start);
    const actions = codeActions(o.ctx, wanted);
    if (token.isCancellationRequested) return null;
    const lspDiagnostics = service.diagnostics(o.document);
    return actions.map((a): LspCodeAction => {
      const r = o.range(a.diagnostic.offset, a.diagnostic.length);
      const match = lspDiagnostics.filter(
        (d) =>
          d.code === a.diagnostic.code &&
          d.range.start.line === r.start.line &&
          d.range.start.character === r.start.character,
      );
      return {
        title: plainMessage(a.title),
        kind: CodeActionKind.QuickFix,
        diagnostics: match,
        ...(a.preferred ? { isPreferred: true } : {}),
        edit: { changes: { [o.uri]: a.edits.map((e) => o.edit(e)) } },
      };
    });
  },

  'textDocument/documentSymbol': (o, _params, _service, token) => {
    const convert = (s: SymbolEntry): DocumentSymbol => ({
      name: s.name,
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
      kind: s.kind === 'message' ? SymbolKind.Struct : SymbolKind.Field,
      range: o.range(s.range.offset, s.range.length),
      selectionRange: o.range(s.selection.offset, s.selection.length),
      children: s.children.map(convert),
    });
    const symbols = documentSymbols(o.ctx);
    if (token.isCancellationRequested) return null;
    return symbols.map(convert);
  },

  'textDocument/foldingRange': (o, _params, _service, token) => {
    const folds = foldingRanges(o.ctx, (offset) => o.lines.positionAt(offset).line);
    if (token.isCancellationRequested) return null;
    return folds.map((f) => ({
      startLine: f.startLine,
      endLine: f.endLine,
      ...(f.kind ? { kind: FoldingRangeKind.Comment } : {}),
    }));
  },

  'textDocument/selectionRange': (o, params, _service, token) => {
    const out: SelectionRange[] = [];
    for (const position of params.positions) {
      const spans = selectionRanges(o.ctx, o.lines.offsetAt(position));
      let parent: SelectionRange | undefined;
      for (let i = spans.length - 1; i >= 0; i--) {
        const s = spans[i]!;
        parent = { range: o.range(s.offset, s.length), ...(parent ? { parent } : {}) };
      }
      out.push(parent ?? { range: { start: position, end: position } });
    }
    if (token.isCancellationRequested) return null;
    return out;
  },

  'textDocument/documentLink': (o, _params, _service, token) => {
    const links = documentLinks(o.ctx);
    if (token.isCancellationRequested) return null;
    return links.map((l) => ({
      range: o.range(l.range.offset, l.range.length),
      target: l.file
        ? pathToUri(l.file)
        : `command:revealInExplorer?${encodeURIComponent(JSON.stringify([pathToUri(l.folder!)]))}`,
      tooltip: l.tooltip,
    }));
  },

  'textDocument/definition': (o, params, _service, token) => {
    const target = definition(o.ctx, o.lines.offsetAt(params.position));
    if (!target || token.isCancellationRequested) return null;
    const uri = pathToUri(target.file);
    const r =
      target.range && uri === o.uri
        ? o.range(target.range.offset, target.range.length)
        : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { uri, range: r };
  },

  'textDocument/semanticTokens/full': (o, _params, _service, token) => {
    const tokens = semanticTokens(o.ctx);
    if (token.isCancellationRequested) return null;
    return encodeSemanticTokens(tokens, o.lines);
  },

  'textDocument/semanticTokens/range': (o, params, _service, token) => {
    const start = o.lines.offsetAt(params.range.start);
    const end = o.lines.offsetAt(params.range.end);
    const tokens = semanticTokens(o.ctx, { offset: start, length: end - start });
    if (token.isCancellationRequested) return null;
    return encodeSemanticTokens(tokens, o.lines);
  },
};

/** Formatting reads only the text: it never waits for a validation. */
const TEXT_ONLY: ReadonlySet<FeatureMethod> = new Set([
  'textDocument/formatting',
  'textDocument/rangeFormatting',
]);

/**
 * Answers one feature request on `document` (the version the request was made against). Checks
 * `token` before and after the work and answers null when it was cancelled.
 */
export function computeFeature<M extends FeatureMethod>(
  service: ValidationService,
  document: OpenDocument,
  method: M,
  params: FeatureParams<M>,
  token: CancellationToken = CancellationToken.None,
): FeatureResult<M> {
  if (token.isCancellationRequested) return null;
  const compute: Compute<M> = FEATURES[method];
  return compute(
    new FeatureInput(service, document, !TEXT_ONLY.has(method)),
    params,
    service,
    token,
  );
}

// LSP handlers for the language features: each turns positions into offsets, asks the pure
// language service (src/schema/language) and turns offsets back into ranges. Every handler checks
// its CancellationToken before and after the work and answers null when cancelled.

import {
  CodeActionKind,
  CompletionItemKind,
  CompletionItemTag,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CancellationToken,
  type CodeAction as LspCodeAction,
  type CompletionItem,
  type Connection,
  type DocumentSymbol,
  type Range,
  type SelectionRange,
  type ServerCapabilities,
  type TextDocuments,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  codeActions,
  complete,
  definition,
  documentLinks,
  documentSymbols,
  FIXABLE_CODES,
  foldingRanges,
  formatDocument,
  formatRange,
  hover,
  languageContext,
  selectionRanges,
  type CompletionKind,
  type LanguageContext,
  type SymbolEntry,
} from '../schema/language';
import type { LineIndex, TextEdit } from '../textproto';
import { pathToUri, uriToPath } from './uris';
import type { ValidationService } from './validationService';

export const LANGUAGE_CAPABILITIES: ServerCapabilities = {
  completionProvider: { triggerCharacters: [':', ' '], resolveProvider: false },
  hoverProvider: true,
  documentFormattingProvider: true,
  documentRangeFormattingProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  documentSymbolProvider: true,
  foldingRangeProvider: true,
  selectionRangeProvider: true,
  documentLinkProvider: { resolveProvider: false },
  definitionProvider: true,
};

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  message: CompletionItemKind.Module,
  enum: CompletionItemKind.EnumMember,
  value: CompletionItemKind.Value,
  template: CompletionItemKind.Snippet,
};

export function registerLanguageFeatures(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  service: ValidationService,
): void {
  /** The document's context and line index, or undefined when closed or cancelled. */
  function open(
    uri: string,
    token: CancellationToken,
  ): { ctx: LanguageContext; lines: LineIndex; document: TextDocument } | undefined {
    if (token.isCancellationRequested) return undefined;
    const document = documents.get(uri);
    if (!document) return undefined;
    const result = service.result(document);
    const path = uriToPath(uri);
    const ctx = languageContext(document.getText(), {
      schema: service.currentSchema,
      result,
      ...(path ? { path, host: service.projectHost } : {}),
    });
    return { ctx, lines: service.lines(document), document };
  }

  const range = (lines: LineIndex, offset: number, length: number): Range => ({
    start: lines.positionAt(offset),
    end: lines.positionAt(offset + length),
  });
  const edit = (lines: LineIndex, e: TextEdit): LspTextEdit => ({
    range: range(lines, e.offset, e.length),
    newText: e.newText,
  });

  connection.onCompletion((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
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
      textEdit: {
        range: range(o.lines, e.replace.offset, e.replace.length),
        newText: e.insertText,
      },
    }));
  });

  connection.onHover((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const h = hover(o.ctx, o.lines.offsetAt(params.position));
    if (!h || token.isCancellationRequested) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: h.contents },
      range: range(o.lines, h.offset, h.length),
    };
  });

  connection.onDocumentFormatting((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const result = formatDocument(o.ctx.text);
    if (token.isCancellationRequested) return null;
    return result.edits.map((e) => edit(o.lines, e));
  });

  connection.onDocumentRangeFormatting((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const start = o.lines.offsetAt(params.range.start);
    const result = formatRange(o.ctx.text, start, o.lines.offsetAt(params.range.end) - start);
    if (token.isCancellationRequested) return null;
    return result.edits.map((e) => edit(o.lines, e));
  });

  connection.onCodeAction((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const start = o.lines.offsetAt(params.range.start);
    const end = o.lines.offsetAt(params.range.end);
    // The server's own diagnostics of this version that touch the range.
    const wanted = service
      .result(o.document)
      .diagnostics.filter(
        (d) =>
          (FIXABLE_CODES as readonly string[]).includes(d.code) &&
          d.offset <= end &&
          d.offset + d.length >= start,
      );
    const actions = codeActions(o.ctx, wanted);
    if (token.isCancellationRequested) return null;
    const lspDiagnostics = service.diagnostics(o.document);
    return actions.map((a): LspCodeAction => {
      const r = range(o.lines, a.diagnostic.offset, a.diagnostic.length);
      const match = lspDiagnostics.filter(
        (d) =>
          d.code === a.diagnostic.code &&
          d.range.start.line === r.start.line &&
          d.range.start.character === r.start.character,
      );
      return {
        title: a.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: match,
        ...(a.preferred ? { isPreferred: true } : {}),
        edit: { changes: { [params.textDocument.uri]: a.edits.map((e) => edit(o.lines, e)) } },
      };
    });
  });

  connection.onDocumentSymbol((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const convert = (s: SymbolEntry): DocumentSymbol => ({
      name: s.name,
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
      kind: s.kind === 'message' ? SymbolKind.Struct : SymbolKind.Field,
      range: range(o.lines, s.range.offset, s.range.length),
      selectionRange: range(o.lines, s.selection.offset, s.selection.length),
      children: s.children.map(convert),
    });
    const symbols = documentSymbols(o.ctx);
    if (token.isCancellationRequested) return null;
    return symbols.map(convert);
  });

  connection.onFoldingRanges((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const folds = foldingRanges(o.ctx, (offset) => o.lines.positionAt(offset).line);
    if (token.isCancellationRequested) return null;
    return folds.map((f) => ({
      startLine: f.startLine,
      endLine: f.endLine,
      ...(f.kind ? { kind: FoldingRangeKind.Comment } : {}),
    }));
  });

  connection.onSelectionRanges((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const out: SelectionRange[] = [];
    for (const position of params.positions) {
      const spans = selectionRanges(o.ctx, o.lines.offsetAt(position));
      let parent: SelectionRange | undefined;
      for (let i = spans.length - 1; i >= 0; i--) {
        const s = spans[i]!;
        parent = { range: range(o.lines, s.offset, s.length), ...(parent ? { parent } : {}) };
      }
      out.push(parent ?? { range: { start: position, end: position } });
    }
    if (token.isCancellationRequested) return null;
    return out;
  });

  connection.onDocumentLinks((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const links = documentLinks(o.ctx);
    if (token.isCancellationRequested) return null;
    return links.map((l) => ({
      range: range(o.lines, l.range.offset, l.range.length),
      target: l.file
        ? pathToUri(l.file)
        : `command:revealInExplorer?${encodeURIComponent(JSON.stringify([pathToUri(l.folder!)]))}`,
      tooltip: l.tooltip,
    }));
  });

  connection.onDefinition((params, token) => {
    const o = open(params.textDocument.uri, token);
    if (!o) return null;
    const target = definition(o.ctx, o.lines.offsetAt(params.position));
    if (!target || token.isCancellationRequested) return null;
    const uri = pathToUri(target.file);
    const r =
      target.range && uri === params.textDocument.uri
        ? range(o.lines, target.range.offset, target.range.length)
        : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { uri, range: r };
  });
}

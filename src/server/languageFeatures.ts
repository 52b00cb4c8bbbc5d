// LSP wiring of the language features: every request goes to one `answer` function, which computes
// it on the message loop (features.ts) or, for a heavy document, in the worker (heavyWorker.ts).

import {
  CodeActionKind,
  type CancellationToken,
  type Connection,
  type ResponseError,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { FeatureMethod, FeatureParams, FeatureResult } from './features';
import { SEMANTIC_TOKENS_LEGEND } from './semanticTokens';

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
  semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true, range: true },
};

/** Answers one feature request: its result, null (no document, or cancelled), or an error. */
export type AnswerFeature = <M extends FeatureMethod>(
  method: M,
  params: FeatureParams<M>,
  token: CancellationToken,
) => FeatureResult<M> | Promise<FeatureResult<M> | ResponseError<void>>;

export function registerLanguageFeatures(connection: Connection, answer: AnswerFeature): void {
  connection.onCompletion((params, token) => answer('textDocument/completion', params, token));
  connection.onHover((params, token) => answer('textDocument/hover', params, token));
  connection.onDocumentFormatting((params, token) =>
    answer('textDocument/formatting', params, token),
  );
  connection.onDocumentRangeFormatting((params, token) =>
    answer('textDocument/rangeFormatting', params, token),
  );
  connection.onCodeAction((params, token) => answer('textDocument/codeAction', params, token));
  connection.onDocumentSymbol((params, token) =>
    answer('textDocument/documentSymbol', params, token),
  );
  connection.onFoldingRanges((params, token) => answer('textDocument/foldingRange', params, token));
  connection.onSelectionRanges((params, token) =>
    answer('textDocument/selectionRange', params, token),
  );
  connection.onDocumentLinks((params, token) => answer('textDocument/documentLink', params, token));
  connection.onDefinition((params, token) => answer('textDocument/definition', params, token));
  connection.languages.semanticTokens.on((params, token) =>
    answer('textDocument/semanticTokens/full', params, token),
  );
  connection.languages.semanticTokens.onRange((params, token) =>
    answer('textDocument/semanticTokens/range', params, token),
  );
}

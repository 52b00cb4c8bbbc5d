// The language service: pure functions over (text, tree, schema, offset) behind the language
// server's completion, hover, formatting, outline, navigation and quick fixes. No LSP types here:
// offsets in, offsets out; the server converts at its edge.

export { codeActions, FIXABLE_CODES, isFixable, type CodeAction } from './codeActions';
export { complete, templateBodies, type CompletionEntry, type CompletionKind } from './completion';
export {
  containerAt,
  containerType,
  fieldMarkdown,
  languageContext,
  typeLabel,
  type ContextOptions,
  type LanguageContext,
} from './context';
export { formatDocument, formatRange, minimalEdit, type FormatEdits } from './format';
export { hover, type HoverResult } from './hover';
export {
  definition,
  documentLinks,
  documentSymbols,
  foldingRanges,
  labelMapItemWithId,
  selectionRanges,
  type DefinitionTarget,
  type Fold,
  type LinkEntry,
  type Span,
  type SymbolEntry,
} from './navigation';
export { pathFieldOf, pathTarget, type PathTarget } from './paths';
export { semanticTokens, type SemanticKind, type SemanticToken } from './semanticTokens';

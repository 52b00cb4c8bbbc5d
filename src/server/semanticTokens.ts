// Semantic tokens at the LSP edge: the language service's kinds (src/schema/language/semanticTokens.ts)
// as standard token types, which every theme colours (directly, or through VS Code's fallback
// TextMate scopes: `property` -> variable.other.property, `struct` -> entity.name.type.struct,
// `enumMember` -> variable.other.enummember), and offsets encoded as the relative five-integer
// runs LSP sends.

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type { SemanticKind, SemanticToken } from '../schema/language';
import type { LineIndex } from '../textproto';

const TYPES: Record<SemanticKind, string> = {
  scalarField: 'property',
  messageField: 'struct',
  enumValue: 'enumMember',
  keyword: 'keyword',
  string: 'string',
  number: 'number',
  comment: 'comment',
};

const TYPE_NAMES = [...new Set(Object.values(TYPES))];
const TYPE_INDEX = Object.fromEntries(
  Object.entries(TYPES).map(([kind, type]) => [kind, TYPE_NAMES.indexOf(type)]),
) as Record<SemanticKind, number>;
const DEPRECATED = 1 << 0;

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = {
  tokenTypes: TYPE_NAMES,
  tokenModifiers: ['deprecated'],
};

/**
 * Encodes tokens (source order, not overlapping) for LSP. A token that crosses a line break (a
 * bracketed extension name written over lines) is sent a line at a time: VS Code's client does
 * not take multi-line tokens.
 */
export function encodeSemanticTokens(
  tokens: readonly SemanticToken[],
  lines: LineIndex,
): SemanticTokens {
  const data: number[] = [];
  let previousLine = 0;
  let previousChar = 0;
  const push = (line: number, char: number, length: number, type: number, modifiers: number) => {
    if (length <= 0) return;
    data.push(
      line - previousLine,
      line === previousLine ? char - previousChar : char,
      length,
      type,
      modifiers,
    );
    previousLine = line;
    previousChar = char;
  };
  // Tokens come in source order: the line of each is found by moving forward from the last one's
  // (a binary search per token took a third of the time on a large label map).
  let line = 0;
  let lineStart = 0;
  let nextStart = lines.lineCount > 1 ? lines.offsetAt({ line: 1, character: 0 }) : Infinity;
  const lineOf = (offset: number) => {
    while (offset >= nextStart) {
      line++;
      lineStart = nextStart;
      nextStart =
        line + 1 < lines.lineCount ? lines.offsetAt({ line: line + 1, character: 0 }) : Infinity;
    }
    return line;
  };
  for (const token of tokens) {
    const type = TYPE_INDEX[token.kind];
    const modifiers = token.deprecated ? DEPRECATED : 0;
    const startLine = lineOf(token.offset);
    const startChar = token.offset - lineStart;
    const end = token.offset + token.length;
    if (end <= nextStart) {
      push(startLine, startChar, token.length, type, modifiers);
      continue;
    }
    // Rare: a bracketed extension name written over lines.
    let from = token.offset;
    while (from < end) {
      const at = lineOf(from);
      const to = Math.min(end, lines.offsetAt({ line: at, character: Number.MAX_SAFE_INTEGER }));
      push(at, from - lineStart, to - from, type, modifiers);
      from = Math.min(end, nextStart);
    }
  }
  return { data };
}

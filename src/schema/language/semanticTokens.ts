// What each token of a document is, for colouring: field names (by what the schema says they
// hold), enum values, booleans, strings, numbers and comments. The TextMate grammar can only guess
// from the shape of a line; this reads the parsed tree and binds fields through the same walker as
// diagnostics and hover, so a field the schema does not know, or an enum value, is told apart from
// its neighbours. Offsets in, offsets out; the server encodes them for LSP.

import {
  forEachNode,
  type Comment,
  type FieldNode,
  type Range,
  type ScalarNode,
} from '../../textproto';
import type { FieldDef, Schema } from '../model';
import { walkSchema, type FieldBinding } from '../validate';
import type { LanguageContext } from './context';

/**
 * - `messageField`: a field whose value is a message (`model`, `ssd`, `item`).
 * - `scalarField`: a field whose value is a number, string, bool or enum value.
 * - `enumValue`: an enum value (`RELU_6`), or an identifier value the schema cannot place.
 * - `keyword`: `true` / `false` (and the other spellings a bool field accepts).
 * - `number`: numbers, `inf` and `nan` in float fields, and their signs.
 */
export type SemanticKind =
  'messageField' | 'scalarField' | 'enumValue' | 'keyword' | 'string' | 'number' | 'comment';

export interface SemanticToken {
  readonly offset: number;
  readonly length: number;
  readonly kind: SemanticKind;
  /** The schema marks the field or enum value `[deprecated = true]`. */
  readonly deprecated: boolean;
}

const BOOL_WORDS = /^(?:true|false|True|False|t|f)$/;
/** What an identifier in a place the schema does not know reads as a bool. */
const GUESSED_BOOL_WORDS = /^(?:true|false|True|False)$/;
const FLOAT_WORDS = /^(?:inf|infinity|nan)$/i;

/**
 * The tokens of the document in source order; with `span`, only those that touch it (the visible
 * part of an editor), without visiting the subtrees outside it.
 */
export function semanticTokens(ctx: LanguageContext, span?: Range): SemanticToken[] {
  const start = span ? span.offset : 0;
  const end = span ? span.offset + span.length : Infinity;
  const outside = (r: Range) => r.offset + r.length < start || r.offset > end;

  const bindings = new Map<FieldNode, FieldBinding>();
  if (ctx.root)
    walkSchema(ctx.doc, ctx.schema, ctx.root, {
      field: (binding) => {
        if (outside(binding.node)) return false;
        bindings.set(binding.node, binding);
      },
    });

  const tokens: SemanticToken[] = [];
  forEachNode(ctx.doc, (node) => {
    if (node.kind === 'document') return;
    if (outside(node)) return false;
    if (node.kind === 'field') tokens.push(fieldName(node, bindings.get(node)?.def));
    else if (node.kind === 'scalar') {
      const field = node.parent.kind === 'field' ? node.parent : node.parent.parent;
      scalarTokens(ctx.schema, node, bindings.get(field)?.def, tokens);
    }
  });
  const all = withComments(
    tokens,
    ctx.doc.comments.filter((c) => !outside(c)),
  );
  // The names of the fields around the span were visited on the way in.
  return span ? all.filter((t) => !outside(t)) : all;
}

function fieldName(node: FieldNode, def: FieldDef | undefined): SemanticToken {
  // A field the schema does not know is coloured by what it holds, so a typo still reads as a
  // field (its diagnostic says what is wrong).
  const holdsMessage = def
    ? def.type.kind === 'message'
    : node.value?.kind === 'message' ||
      (node.value?.kind === 'list' && node.value.elements.some((e) => e.kind === 'message'));
  return {
    offset: node.name.offset,
    length: node.name.length,
    kind: holdsMessage ? 'messageField' : 'scalarField',
    deprecated: def?.deprecated === true,
  };
}

function scalarTokens(
  schema: Schema,
  node: ScalarNode,
  def: FieldDef | undefined,
  out: SemanticToken[],
): void {
  if (node.valueKind === 'string') {
    // Adjacent literals are one value; comments between them are tokens of their own.
    for (const part of node.parts)
      out.push({ offset: part.offset, length: part.length, kind: 'string', deprecated: false });
    return;
  }
  const end = node.offset + node.length;
  const rawStart = end - node.raw.length;
  let deprecated = false;
  let kind: SemanticKind;
  if (node.valueKind === 'number') kind = 'number';
  else if (def?.type.kind === 'enum') {
    kind = 'enumValue';
    deprecated = schema.enumOf(def)?.values.find((v) => v.name === node.raw)?.deprecated === true;
  } else if (def?.type.kind === 'scalar') {
    const scalar = def.type.scalar;
    kind =
      scalar === 'bool' && BOOL_WORDS.test(node.raw)
        ? 'keyword'
        : (scalar === 'float' || scalar === 'double') && FLOAT_WORDS.test(node.raw)
          ? 'number'
          : 'enumValue';
  } else
    kind = GUESSED_BOOL_WORDS.test(node.raw)
      ? 'keyword'
      : FLOAT_WORDS.test(node.raw)
        ? 'number'
        : 'enumValue';
  if (node.sign?.glued)
    out.push({ offset: node.sign.offset, length: end - node.sign.offset, kind, deprecated });
  else {
    if (node.sign)
      out.push({ offset: node.sign.offset, length: node.sign.length, kind, deprecated });
    out.push({ offset: rawStart, length: node.raw.length, kind, deprecated });
  }
}

/** Merges the comments (in source order) into the tokens (in source order). */
function withComments(tokens: SemanticToken[], comments: readonly Comment[]): SemanticToken[] {
  if (comments.length === 0) return tokens;
  const out: SemanticToken[] = [];
  let c = 0;
  for (const token of tokens) {
    while (c < comments.length && (comments[c] as Comment).offset < token.offset)
      out.push(commentToken(comments[c++] as Comment));
    out.push(token);
  }
  while (c < comments.length) out.push(commentToken(comments[c++] as Comment));
  return out;
}

function commentToken(comment: Comment): SemanticToken {
  return { offset: comment.offset, length: comment.length, kind: 'comment', deprecated: false };
}
